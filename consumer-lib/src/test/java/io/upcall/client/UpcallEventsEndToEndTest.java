package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.UpcallRequest;
import io.upcall.avro.UpcallRequestType;
import io.upcall.producers.LeaseRecallReplies;
import io.upcall.producers.RecallOutcome;
import io.upcall.schemas.Gfids;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lease recalls and lock-contention notices through the whole pipeline: a brick asks, the streams app routes the
 * request to the holder's partition, the holder's listener answers, and the answer reaches the brick.
 */
class UpcallEventsEndToEndTest {
  private static final Duration READY = Duration.ofSeconds(30);
  private static final Duration SOON = Duration.ofSeconds(15);
  private static final AtomicInteger FILES = new AtomicInteger();

  private static EmbeddedKafkaBroker broker;
  private static Pipeline pipeline;
  private static FileServer server;
  private static LeaseRecallReplies replies;

  private final List<UpcallClient> clients = new ArrayList<>();

  @BeforeAll
  static void startPipeline() throws InterruptedException {
    broker = EmbeddedKafkaBroker.builder().build().start();
    pipeline = new Pipeline(broker);
    server = new FileServer(pipeline.brick());
    replies =
        LeaseRecallReplies.builder()
            .bootstrapServers(broker.bootstrapServers())
            .brick(pipeline.brick().brick())
            .topics(pipeline.topics())
            .build();
  }

  @AfterAll
  static void stopPipeline() {
    replies.close();
    pipeline.close();
    broker.close();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(UpcallClient::close);
  }

  @Test
  void aBricksRecallReachesTheHolderAndItsReleaseReachesTheBrick() throws Exception {
    List<LeaseRecallRequest> heard = new CopyOnWriteArrayList<>();
    UpcallClient holder =
        ready(
            pipeline
                .client("holder-" + UUID.randomUUID())
                .leaseRecallListener(
                    (recall, reply) -> {
                      heard.add(recall);
                      reply.released();
                    }));
    Gfid file = newFile();

    RecallOutcome outcome =
        replies.recall(pipeline.brick(), recall(holder, file, "lease-1")).get(30, TimeUnit.SECONDS);

    assertThat(outcome.status()).isEqualTo(RecallOutcome.Status.RELEASED);
    assertThat(outcome.client()).isEqualTo(holder.uid());
    assertThat(heard)
        .singleElement()
        .satisfies(
            recall -> {
              assertThat(recall.requestId()).isEqualTo(outcome.requestId());
              assertThat(recall.gfid()).isEqualTo(file);
              assertThat(recall.leaseId()).isEqualTo("lease-1");
              assertThat(recall.brick()).isEqualTo(pipeline.brick().brick());
              assertThat(recall.timeoutSeconds()).isEqualTo(60);
            });
    assertThat(holder.metrics().upcallEvents()).isEqualTo(1);
    assertThat(holder.metrics().unknownEvents()).isZero();
  }

  @Test
  void anUnansweredRecallTimesOutAndTheBrickIsTold() throws Exception {
    List<LeaseRecallRequest> heard = new CopyOnWriteArrayList<>();
    UpcallClient holder =
        ready(
            pipeline
                .client("silent-" + UUID.randomUUID())
                .leaseRecallListener((recall, reply) -> heard.add(recall))); // never answers

    UpcallRequest recall =
        UpcallRequest.newBuilder(recall(holder, newFile(), "lease-2"))
            .setRecallTimeoutSeconds(2)
            .build();
    RecallOutcome outcome = replies.recall(pipeline.brick(), recall).get(30, TimeUnit.SECONDS);

    assertThat(outcome.status()).isEqualTo(RecallOutcome.Status.TIMED_OUT);
    assertThat(outcome.client()).isEqualTo(holder.uid());
    assertThat(heard)
        .as("the holder was asked, and did not answer")
        .singleElement()
        .satisfies(r -> assertThat(r.timeoutSeconds()).isEqualTo(2));
  }

  @Test
  void contentionNoticesForOneInodeReachTheHolderSpacedByTheDelay() throws Exception {
    List<LockContention> heard = new CopyOnWriteArrayList<>();
    List<LeaseRecallRequest> recalls = new CopyOnWriteArrayList<>();
    UpcallClient holder =
        ready(
            pipeline
                .client("locker-" + UUID.randomUUID())
                .lockContentionListener(heard::add)
                .leaseRecallListener((recall, reply) -> recalls.add(recall)));
    Gfid file = newFile();
    long t0 = System.currentTimeMillis();

    for (long at : new long[] {0, 1_000, 4_000, 5_000, 6_000}) {
      pipeline.brick().request(contention(holder, file, t0 + at));
    }
    // A recall is never held back and follows the notices through the same partition and task: once
    // it is heard, every notice that was going to be delivered has been.
    pipeline.brick().request(recall(holder, file, "barrier"));
    Eventually.within(SOON, "the barrier recall is heard", () -> !recalls.isEmpty());

    assertThat(heard).extracting(c -> c.eventTimeMs() - t0).containsExactly(0L, 5_000L);
    assertThat(heard)
        .allSatisfy(
            c -> {
              assertThat(c.entryLock()).isFalse();
              assertThat(c.gfid()).isEqualTo(file);
              assertThat(c.lockOwner()).isEqualTo("owner-1");
            });
  }

  @Test
  void aClientWithTheFirstSchemasKeepsItsCacheWhenNewEventTypesFlow() throws Exception {
    UpcallClient old =
        ready(
            pipeline
                .client("old-" + UUID.randomUUID())
                .valueDeserializer(new FirstVersionInvalidationsDeserializer()));
    Gfid kept = newFile();
    fetch(old, kept);

    pipeline.brick().request(recall(old, kept, "lease-3"));
    pipeline.brick().request(contention(old, kept, System.currentTimeMillis()));
    Eventually.within(
        SOON, "both events skipped as unknown", () -> old.metrics().unknownEvents() == 2);

    assertThat(old.cache().stat(kept))
        .as("no cache drop for an event it could not read")
        .isPresent();
    assertThat(old.metrics().positionLosses()).isZero();
  }

  @Test
  void aClientTooOldForBatchesDropsItsCacheAtABatchAndNeverServesStale() throws Exception {
    UpcallClient old =
        ready(
            pipeline
                .client("old-" + UUID.randomUUID())
                .valueDeserializer(new FirstVersionInvalidationsDeserializer()));
    UpcallClient writer = ready(pipeline.client("writer-" + UUID.randomUUID()));
    Gfid kept = newFile();
    Gfid changed = newFile();
    fetch(old, kept);
    fetch(old, changed);
    long resetsBefore = old.cache().stats().resets();

    FileServer.Written write = server.write(writer.uid(), changed, 4096);

    Eventually.within(
        SOON,
        "the old client dropped its cache at the batch it could not read",
        () -> old.cache().stats().resets() > resetsBefore);
    assertThat(old.cache().stat(changed)).as("never the old size").isEmpty();
    assertThat(old.cache().stat(kept))
        .as("the whole cache went: the batch might have been for it")
        .isEmpty();
    assertThat(old.metrics().invalidations()).as("nothing it could decode").isZero();
    assertThat(write.fopId()).isNotNull();
  }

  // ---- helpers

  private UpcallClient ready(UpcallClient.Builder builder) throws InterruptedException {
    UpcallClient client = builder.build();
    clients.add(client);
    assertThat(client.awaitReady(READY)).as("ready").isTrue();
    Eventually.within(READY, "fresh", () -> client.cache().isFresh());
    return client;
  }

  private static UpcallRequest recall(UpcallClient holder, Gfid file, String leaseId) {
    return UpcallRequest.newBuilder()
        .setRequestId("")
        .setVolume("")
        .setBrick("")
        .setClient(holder.uid())
        .setGfid(file)
        .setEventTimeMs(0)
        .setType(UpcallRequestType.LEASE_RECALL)
        .setLeaseId(leaseId)
        .build();
  }

  private static UpcallRequest contention(UpcallClient holder, Gfid file, long eventTimeMs) {
    return UpcallRequest.newBuilder()
        .setRequestId("")
        .setVolume("")
        .setBrick("")
        .setClient(holder.uid())
        .setGfid(file)
        .setEventTimeMs(eventTimeMs)
        .setType(UpcallRequestType.INODELK_CONTENTION)
        .setLockOwner("owner-1")
        .setDomain("vol-replicate-0")
        .build();
  }

  private static void fetch(UpcallClient client, Gfid file) {
    FetchToken token = client.cache().beginFetch(file);
    client.cache().putStat(token, server.lookup(client.uid(), file));
    assertThat(client.cache().stat(file)).isPresent();
  }

  private static Gfid newFile() {
    Gfid gfid = Gfids.of(new UUID(0xe7e47, FILES.incrementAndGet()));
    server.create(gfid);
    return gfid;
  }
}
