package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.TestReporter;
import org.opentest4j.AssertionFailedError;

/**
 * The whole pipeline on a {@link KafkaCluster}: fresh topics (replication factor 3), the streams app in a child JVM
 * (exactly-once, its internal topics replicated three times), continuous load from {@link SteadyLoad} and
 * {@link CheckedClients} whose every cached answer is checked. A test waits for the clients to serve (not for an
 * amount of load) before and after its fault, so the refusal window it measures ends when they serve again whatever
 * the box's speed. {@link #verify} stops the traffic, waits until the app processed everything, and checks the
 * invalidations against the spec's model and the clients' answers against the truth.
 */
final class ClusterPipeline implements AutoCloseable {
  static final double FOPS_PER_SECOND = 300;

  /**
   * Cached answers the clients must serve (each checked against the truth) before a fault and again after it healed:
   * about 2 s of the three clients' lookups once fresh. Enough for a stale entry left by the fault to be served (each
   * of the 40 files is looked up every 0.3 s or so), few enough to keep the class short.
   */
  static final long ANSWERS = 300;

  /** How long the clients may take to serve again after a fault healed (a streams restart restores its stores). */
  private static final Duration SERVE_AGAIN_TIMEOUT = Duration.ofSeconds(150);

  private static final Duration ADMIN_POLL = Duration.ofMillis(250);

  /**
   * The bricks batch for 25 ms instead of their 5 ms default. Three brokers on two cores spend their CPU on follower
   * fetches, each woken by any append, and on produce requests, most of them the bricks'; fewer, larger produce
   * requests left the box room, and the class ran 179-209 s instead of 256-422 s (README, "On a three-broker
   * cluster"). The 20 ms it adds to a fop's way changes nothing the class checks.
   */
  private static final int BRICK_LINGER_MS = 25;

  private final long startedNanos = System.nanoTime();
  private final List<String> timeline = new CopyOnWriteArrayList<>();
  private long servedBeforeLastWait;

  final KafkaCluster cluster;
  final UpcallTopics topics;
  final String applicationId;
  private final Map<String, Object> streamsConfig;
  private final Path work;
  private ChildStreams streams;
  private final List<ChildStreams> generations = new CopyOnWriteArrayList<>();
  private int generation;
  SteadyLoad load;
  CheckedClients clients;

  private ClusterPipeline(KafkaCluster cluster, String name, Path work) throws Exception {
    this.cluster = cluster;
    this.work = work;
    String unique = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.topics = UpcallTopics.withPrefix(unique + ".");
    this.applicationId = "app-" + unique;
    cluster.ensureTopics(topics, EmbeddedKafkaExtension.DEFAULT_PARTITIONS);
    this.streamsConfig =
        StreamsSettings.of(
            cluster.bootstrapServers(),
            applicationId,
            topics,
            StreamsConfig.EXACTLY_ONCE_V2,
            work.resolve("state"));
    streamsConfig.put("replication.factor", 3);
    streamsConfig.put("upcall.progress.interval.ms", 100);
  }

  /** Creates the topics, starts the app, then the load and the checked clients (once they are ready). */
  static ClusterPipeline start(KafkaCluster cluster, String name, long seed, Path work)
      throws Exception {
    ClusterPipeline pipeline = new ClusterPipeline(cluster, name, work);
    pipeline.note("topics created");
    try {
      pipeline.startStreams();
      pipeline.load =
          SteadyLoad.start(
              SteadyLoad.smallVolume(seed).build(), FOPS_PER_SECOND, true, pipeline::publisher);
      pipeline.clients =
          CheckedClients.start(
              pipeline::publisher,
              () ->
                  UpcallClient.builder()
                      .bootstrapServers(cluster.bootstrapServers())
                      .topics(pipeline.topics),
              3,
              40);
      pipeline.note("load and clients started");
      return pipeline;
    } catch (Exception | Error e) {
      pipeline.close();
      throw e;
    }
  }

  /** A patient brick: it holds records through any outage the tests cause instead of failing them. */
  BrickPublisher.Builder publisher() {
    return BrickPublisher.builder()
        .bootstrapServers(cluster.bootstrapServers())
        .topics(topics)
        .heartbeatInterval(Duration.ofMillis(200))
        .maxBlock(Duration.ofSeconds(60))
        .deliveryTimeout(Duration.ofSeconds(120))
        .property(ProducerConfig.LINGER_MS_CONFIG, BRICK_LINGER_MS);
  }

  /** Starts a new streams instance on the same state directory. */
  void startStreams() throws Exception {
    streams = ChildStreams.start("streams-" + ++generation, streamsConfig, work);
    generations.add(streams);
    note("streams instance " + generation + " RUNNING");
  }

  /** Crashes the streams instance (SIGKILL). */
  void killStreams() throws InterruptedException {
    streams.kill();
    note("streams instance " + generation + " killed");
  }

  /** The upcall.fops partition with the most records so far. */
  TopicPartition busiestFopsPartition() throws Exception {
    try (Admin admin = Admin.create(cluster.clientProperties())) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < EmbeddedKafkaExtension.DEFAULT_PARTITIONS; p++) {
        latest.put(new TopicPartition(topics.fops(), p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
          .max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.offset(), b.offset())))
          .orElseThrow()
          .getKey();
    }
  }

  /** The node leading the most partitions of this pipeline's fop and invalidation topics. */
  int busiestLeader() {
    Map<Integer, Long> led =
        cluster.leaders(topics.fops()).values().stream()
            .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    cluster.leaders(topics.invalidations()).values().forEach(id -> led.merge(id, 1L, Long::sum));
    led.remove(-1);
    return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /** Waits until the load is acknowledged again, {@code more} records past now. */
  void awaitProgress(long more) {
    load.awaitAcknowledged(load.acknowledged() + more);
  }

  /**
   * Waits until the clients served {@link #ANSWERS} more cached answers (each checked against the truth), which they
   * do only once their caches are fresh again; returns how long that took.
   */
  Duration awaitServing() {
    long from = clients.served();
    servedBeforeLastWait = from;
    long start = System.nanoTime();
    poll(
        SERVE_AGAIN_TIMEOUT,
        Duration.ofMillis(20),
        () ->
            "the checked clients serve "
                + ANSWERS
                + " more cached answers; at the deadline "
                + (clients.served() - from)
                + " more ("
                + clients.summary()
                + "); "
                + state(),
        () -> clients.served() >= from + ANSWERS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    note("clients serving (" + ANSWERS + " answers in " + took.toMillis() + " ms)");
    return took;
  }

  /** Waits until every partition of this pipeline's topics is fully in sync again. */
  void awaitFullyReplicated() {
    poll(
        Duration.ofSeconds(90),
        ADMIN_POLL,
        () -> "every partition back in sync; " + state(),
        () -> cluster.underReplicatedPartitions(topics.all()) == 0);
    note("fully replicated");
  }

  /**
   * Waits until {@code condition} holds, asking every {@code every} (cluster queries each open an admin client);
   * {@code what} is asked at the deadline, so the failure shows the state then.
   */
  static void poll(
      Duration timeout, Duration every, Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionFailedError("not within " + timeout + ": " + what.get());
      }
      LockSupport.parkNanos(every.toNanos());
    }
  }

  /** Waits (polling the cluster gently) until {@code condition} holds. */
  void awaitCluster(Duration timeout, String what, BooleanSupplier condition) {
    poll(timeout, ADMIN_POLL, () -> what + "; " + state(), condition);
    note(what);
  }

  /** The timeline so far and the streams child's last lines, for a failure message. */
  private String state() {
    String output = streams == null ? "" : streams.output();
    String[] lines = output.split("\n");
    String tail =
        String.join(
            "\n    ", Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length));
    return "timeline: "
        + String.join("; ", timeline)
        + "\n  streams "
        + (streams != null && streams.isAlive() ? "alive" : "not running")
        + ", its last lines:\n    "
        + tail;
  }

  /**
   * The streams children's WARN and ERROR lines, numbers blanked so that repeats count as one, most frequent first:
   * what slowed a run down shows here even when it passed.
   */
  private List<String> warnings() {
    Map<String, Long> counts = new HashMap<>();
    for (ChildStreams child : generations) {
      for (String line : child.output().split("\n")) {
        int level = Math.max(line.indexOf(" WARN "), line.indexOf(" ERROR "));
        if (level >= 0) {
          String message =
              line.substring(level).replaceAll("\\[[^]]*] ", "").replaceAll("[0-9]+", "#");
          counts.merge(message.substring(0, Math.min(200, message.length())), 1L, Long::sum);
        }
      }
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(20)
        .map(entry -> entry.getValue() + " x" + entry.getKey())
        .toList();
  }

  /** Notes a step of the test with the time since the pipeline started, for the summary (to place a failure). */
  void note(String step) {
    timeline.add(
        String.format(Locale.ROOT, "%.1f s %s", (System.nanoTime() - startedNanos) / 1e9, step));
  }

  /**
   * Stops the traffic, waits until the app committed everything, and checks: no publish failed, every acknowledged
   * record is in the log, the invalidations equal what the spec requires (exactly-once: none lost, none extra), and
   * no client served a stale answer (and they served at least {@link #ANSWERS} since the last fault healed).
   * Returns the one-line summary printed.
   */
  String verify(String fault, TestReporter reporter) throws Exception {
    long servedSinceHealed = clients.served() - servedBeforeLastWait;
    clients.close();
    load.close();
    Duration drain =
        Drained.await(
            cluster.clientProperties(), applicationId, topics.fops(), Duration.ofSeconds(120));
    List<SpecOracle.Logged> fops = TopicLog.fops(cluster.clientProperties(), topics.fops());
    Set<String> logged =
        fops.stream().map(l -> SteadyLoad.key(l.fop())).collect(Collectors.toSet());
    Comparison result =
        Comparison.of(
            SpecOracle.expected(fops, StreamsSettings.TIMEOUT_SECONDS),
            TopicLog.invalidations(cluster.clientProperties(), topics.invalidations()));
    String summary =
        String.format(
            "%s: %d fops in the log (%d acknowledged from the load), drained %d ms after the "
                + "load stopped; %s; %s",
            fault,
            fops.size(),
            load.acknowledged(),
            drain.toMillis(),
            result.summary(),
            clients.summary());
    System.out.println(
        summary
            + "\n  timeline: "
            + String.join("; ", timeline)
            + "\n  streams warnings:\n    "
            + String.join("\n    ", warnings()));
    reporter.publishEntry("summary", summary);
    assertThat(load.failures()).as("publish failures of the load").isEmpty();
    assertThat(clients.failures()).as("failures of the checked clients' brick").isEmpty();
    assertThat(logged)
        .as("every acknowledged record is in the fop topic")
        .containsAll(load.acknowledgedRecords().keySet());
    assertThat(result.lost()).as("required invalidations never delivered").isEmpty();
    assertThat(result.duplicated())
        .as("invalidations beyond what the spec requires or permits")
        .isEmpty();
    assertThat(clients.stale()).as("stale reads: %s", clients.staleSamples()).isZero();
    assertThat(servedSinceHealed)
        .as("cached answers checked after the fault healed")
        .isGreaterThanOrEqualTo(ANSWERS);
    return summary;
  }

  @Override
  public void close() throws InterruptedException {
    if (clients != null) {
      clients.close();
    }
    if (load != null) {
      load.close();
    }
    if (streams != null) {
      streams.close();
    }
  }
}
