package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The client on the whole pipeline: a brick publishes fops, the streams app decides who to tell, clients apply.
 * Every invalidation a listener hears is timed from the moment its fop was handed to the brick publisher.
 */
class PipelineEndToEndTest {
  private static final Duration READY = Duration.ofSeconds(30);
  private static final Duration WITHIN_A_SECOND = Duration.ofSeconds(1);
  private static final AtomicInteger FILES = new AtomicInteger();

  private static EmbeddedKafkaBroker broker;
  private static Pipeline pipeline;
  private static FileServer server;

  private final List<UpcallClient> clients = new ArrayList<>();

  @BeforeAll
  static void startPipeline() throws InterruptedException {
    broker = EmbeddedKafkaBroker.builder().build().start();
    pipeline = new Pipeline(broker);
    server = new FileServer(pipeline.brick());
  }

  @AfterAll
  static void stopPipeline() throws IOException {
    try {
      pipeline.close();
      broker.close();
    } finally {
      String summary = Latencies.summary();
      Files.writeString(
          Path.of("target", "fop-to-cache-latency.txt"), summary + System.lineSeparator());
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(UpcallClient::close);
  }

  @Test
  void anotherClientsChangeUpdatesTheCacheAndReachesTheListenerWithinASecondButNeverTheWriter()
      throws Exception {
    Gfid file = newFile();
    InvalidationRecorder heardByB = new InvalidationRecorder(server);
    InvalidationRecorder heardByA = new InvalidationRecorder(server);
    UpcallClient b = ready(pipeline.client("client-b-" + UUID.randomUUID()).listener(heardByB));
    UpcallClient a = ready(pipeline.client("client-a-" + UUID.randomUUID()).listener(heardByA));
    fetch(b, file);
    assertThat(b.cache().stat(file)).isPresent();

    FileServer.Written write = server.write(a.uid(), file, 4096);

    Eventually.within(
        WITHIN_A_SECOND,
        "B's cache holds A's post-op stat and B's listener heard of it",
        () -> sizeIn(b, file).equals(Optional.of(4096L)) && heardByB.heardOf(write.fopId()));
    Invalidation told = heardByB.seen().get(0);
    assertThat(told.getClient()).isEqualTo(b.uid());
    assertThat(UpcallFlag.names(told.getFlags())).containsExactly("SIZE", "TIMES");

    // A is tracked now (its write registered it): the next change, by B, reaches A. Had A been told
    // of its own write, that invalidation would have come first, from the same task into the same
    // partition.
    FileServer.Written barrier = server.write(b.uid(), file, 8192);
    Eventually.within(
        WITHIN_A_SECOND, "A hears of B's write", () -> heardByA.heardOf(barrier.fopId()));
    assertThat(heardByA.seen())
        .extracting(Invalidation::getCauseFopId)
        .containsExactly(barrier.fopId());
  }

  @Test
  void aFetchAnsweredBeforeAnInvalidationIsAppliedIsRefusedAfterIt() throws Exception {
    Gfid file = newFile();
    InvalidationRecorder heardByB = new InvalidationRecorder(server);
    UpcallClient b = ready(pipeline.client("client-b-" + UUID.randomUUID()).listener(heardByB));
    UpcallClient a = ready(pipeline.client("client-a-" + UUID.randomUUID()));
    fetch(b, file);

    FetchToken refetch = b.cache().beginFetch(file);
    Iatt answer = server.lookup(b.uid(), file); // the server answers with the current stat...
    FileServer.Written write =
        server.write(a.uid(), file, 777, false); // ...then A changes the file...
    Eventually.within(
        WITHIN_A_SECOND, "B applied the invalidation", () -> heardByB.heardOf(write.fopId()));
    assertThat(b.cache().stat(file))
        .isEmpty(); // ...B dropped its stat, as the record carried none...

    assertThat(b.cache().putStat(refetch, answer))
        .isFalse(); // ...so the late answer must not come back
    assertThat(b.cache().stat(file)).isEmpty();
    fetch(b, file); // a fetch begun after the invalidation is kept
    assertThat(sizeIn(b, file)).contains(777L);
  }

  @Test
  void manyClientsSharingAFewPartitionsEachHearOnlyTheirOwnInvalidations() throws Exception {
    int count = 12;
    List<UpcallClient> many = new ArrayList<>();
    Map<UpcallClient, InvalidationRecorder> heard = new HashMap<>();
    Map<UpcallClient, Gfid> fileOf = new HashMap<>();
    for (int i = 0; i < count; i++) {
      InvalidationRecorder recorder = new InvalidationRecorder(server);
      UpcallClient client =
          start(pipeline.client("many-" + i + "-" + UUID.randomUUID()).listener(recorder));
      many.add(client);
      heard.put(client, recorder);
      fileOf.put(client, newFile());
    }
    for (UpcallClient client : many) {
      assertThat(client.awaitReady(READY)).isTrue();
      fetch(client, fileOf.get(client));
    }
    assertThat(many.stream().map(client -> client.metrics().partition()).distinct().count())
        .as("clients share partitions")
        .isLessThan(count);
    UpcallClient writer = ready(pipeline.client("writer-" + UUID.randomUUID()));

    List<String> fops = new ArrayList<>();
    for (UpcallClient client : many) {
      fops.add(server.write(writer.uid(), fileOf.get(client), 1234).fopId());
    }

    Eventually.within(
        Duration.ofSeconds(10),
        "every client heard of the write to its file",
        () -> many.stream().allMatch(client -> heard.get(client).seen().size() == 1));
    for (UpcallClient client : many) {
      Invalidation only = heard.get(client).seen().get(0);
      assertThat(only.getClient()).isEqualTo(client.uid());
      assertThat(only.getGfid()).isEqualTo(fileOf.get(client));
    }
    // Wait until every partition has carried all twelve invalidations past its readers.
    Eventually.within(
        Duration.ofSeconds(10),
        "neighbours' invalidations skipped",
        () ->
            many.stream().mapToLong(client -> client.metrics().othersSkipped()).sum()
                == many.stream().mapToLong(client -> neighbours(many, client)).sum());
    assertThat(many).allSatisfy(client -> assertThat(heard.get(client).seen()).hasSize(1));
  }

  @Tag("slow")
  @Test
  void randomReadsAndWritesByManyClientsNeverReadStaleBeyondTheBound(TestReporter reporter)
      throws Exception {
    Duration bound = UpcallClient.DEFAULT_STALENESS_BOUND;
    List<Gfid> tree = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tree.add(newFile());
    }
    List<UpcallClient> players = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      players.add(
          ready(
              pipeline
                  .client("player-" + i + "-" + UUID.randomUUID())
                  .listener(new InvalidationRecorder(server))));
    }
    AtomicLong hits = new AtomicLong();
    AtomicLong staleWithinBound = new AtomicLong();
    List<String> staleBeyondBound = new CopyOnWriteArrayList<>();
    AtomicLong writes = new AtomicLong();

    ScheduledExecutorService load = Executors.newScheduledThreadPool(players.size());
    for (UpcallClient player : players) {
      load.scheduleAtFixedRate(
          () -> {
            Gfid file = tree.get(ThreadLocalRandom.current().nextInt(tree.size()));
            if (ThreadLocalRandom.current().nextInt(100) < 20) {
              FetchToken own = player.cache().beginFetch(file);
              FileServer.Written written =
                  server.write(player.uid(), file, ThreadLocalRandom.current().nextLong(1 << 20));
              player
                  .cache()
                  .putStat(
                      own, written.stat()); // the writer caches its own result, as md-cache does
              writes.incrementAndGet();
              return;
            }
            long askedAtMs = System.currentTimeMillis();
            Optional<Iatt> cached = player.cache().stat(file);
            if (cached.isEmpty()) {
              fetch(player, file);
              return;
            }
            hits.incrementAndGet();
            FileServer.Version version = server.versionOf(file, cached.get());
            if (version == null) {
              staleBeyondBound.add(
                  player.uid() + " read a stat the server never had: " + cached.get());
            } else if (version.replacedAtMs() != Long.MAX_VALUE) {
              long staleForMs = askedAtMs - version.replacedAtMs();
              if (staleForMs > bound.toMillis()) {
                staleBeyondBound.add(
                    player.uid()
                        + " read "
                        + Gfids.format(file)
                        + " ctime "
                        + cached.get().getCtimeSec()
                        + ", replaced "
                        + staleForMs
                        + " ms before");
              } else if (staleForMs > 0) {
                staleWithinBound.incrementAndGet();
              }
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
    }
    load.schedule(load::shutdown, 10, TimeUnit.SECONDS);
    assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    long invalidations =
        players.stream().mapToLong(player -> player.metrics().invalidations()).sum();
    reporter.publishEntry(
        String.format(
            "randomized: %d writes, %d hits (%d stale within the bound), "
                + "%d invalidations applied",
            writes.get(), hits.get(), staleWithinBound.get(), invalidations));
    assertThat(staleBeyondBound).isEmpty();
    assertThat(hits.get()).as("cache hits").isGreaterThan(100);
    assertThat(writes.get()).as("writes").isGreaterThan(50);
    assertThat(invalidations).as("invalidations applied").isGreaterThan(50);
  }

  // ---- helpers

  private UpcallClient start(UpcallClient.Builder builder) {
    UpcallClient client = builder.build();
    clients.add(client);
    return client;
  }

  private UpcallClient ready(UpcallClient.Builder builder) throws InterruptedException {
    UpcallClient client = start(builder);
    assertThat(client.awaitReady(READY)).as("ready").isTrue();
    Eventually.within(READY, "fresh", () -> client.cache().isFresh());
    return client;
  }

  /** A lookup through the server, cached with the fetch protocol. */
  private static void fetch(UpcallClient client, Gfid file) {
    FetchToken token = client.cache().beginFetch(file);
    client.cache().putStat(token, server.lookup(client.uid(), file));
  }

  private static Optional<Long> sizeIn(UpcallClient client, Gfid file) {
    return client.cache().stat(file).map(Iatt::getSize);
  }

  private static Gfid newFile() {
    Gfid gfid = Gfids.of(new UUID(0xf11e, FILES.incrementAndGet()));
    server.create(gfid);
    return gfid;
  }

  private static long neighbours(List<UpcallClient> all, UpcallClient client) {
    return all.stream()
        .filter(
            other -> other != client && other.metrics().partition() == client.metrics().partition())
        .count();
  }
}
