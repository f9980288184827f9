package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import io.upcall.testkit.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The whole pipeline on a {@link KafkaCluster}: fresh topics (replication factor 3), the streams app in a child JVM
 * (exactly-once, its internal topics replicated three times), continuous load from {@link SteadyLoad} and
 * {@link CheckedClients} whose every cached answer is checked. {@link #verify} stops the traffic, waits until the
 * app processed everything, and checks the invalidations against the spec's model and the clients' answers against
 * the truth.
 */
final class ClusterPipeline implements AutoCloseable {
  static final double FOPS_PER_SECOND = 300;

  final KafkaCluster cluster;
  final UpcallTopics topics;
  final String applicationId;
  private final Map<String, Object> streamsConfig;
  private final Path work;
  private ChildStreams streams;
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
    this.streamsConfig = StreamsSettings.of(cluster.bootstrapServers(), applicationId, topics,
        StreamsConfig.EXACTLY_ONCE_V2, work.resolve("state"));
    streamsConfig.put("replication.factor", 3);
    streamsConfig.put("upcall.progress.interval.ms", 100);
  }

  /** Creates the topics, starts the app, then the load and the checked clients (once they are ready). */
  static ClusterPipeline start(KafkaCluster cluster, String name, long seed, Path work) throws Exception {
    ClusterPipeline pipeline = new ClusterPipeline(cluster, name, work);
    try {
      pipeline.startStreams();
      pipeline.load = SteadyLoad.start(SteadyLoad.smallVolume(seed).build(), FOPS_PER_SECOND, true,
          pipeline::publisher);
      pipeline.clients = CheckedClients.start(pipeline::publisher, () -> UpcallClient.builder()
          .bootstrapServers(cluster.bootstrapServers()).topics(pipeline.topics), 3, 40);
      return pipeline;
    } catch (Exception | Error e) {
      pipeline.close();
      throw e;
    }
  }

  /** A patient brick: it holds records through any outage the tests cause instead of failing them. */
  BrickPublisher.Builder publisher() {
    return BrickPublisher.builder().bootstrapServers(cluster.bootstrapServers()).topics(topics)
        .heartbeatInterval(Duration.ofMillis(200)).maxBlock(Duration.ofSeconds(60))
        .deliveryTimeout(Duration.ofSeconds(120));
  }

  /** Starts a new streams instance on the same state directory. */
  void startStreams() throws Exception {
    streams = ChildStreams.start("streams-" + ++generation, streamsConfig, work);
  }

  /** Crashes the streams instance (SIGKILL). */
  void killStreams() throws InterruptedException {
    streams.kill();
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
          .orElseThrow().getKey();
    }
  }

  /** The node leading the most partitions of this pipeline's fop and invalidation topics. */
  int busiestLeader() {
    Map<Integer, Long> led = cluster.leaders(topics.fops()).values().stream()
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    cluster.leaders(topics.invalidations()).values().forEach(id -> led.merge(id, 1L, Long::sum));
    led.remove(-1);
    return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /** Waits until the load is acknowledged again, {@code more} records past now. */
  void awaitProgress(long more) {
    load.awaitAcknowledged(load.acknowledged() + more);
  }

  /** Waits until every partition of this pipeline's topics is fully in sync again. */
  void awaitFullyReplicated() {
    Eventually.within(Duration.ofSeconds(90), "every partition back in sync",
        () -> cluster.underReplicatedPartitions(topics.all()) == 0);
  }

  /**
   * Stops the traffic, waits until the app committed everything, and checks: no publish failed, every acknowledged
   * record is in the log, the invalidations equal what the spec requires (exactly-once: none lost, none extra), and
   * no client served a stale answer. Returns the one-line summary printed.
   */
  String verify(String fault) throws Exception {
    clients.close();
    load.close();
    Duration drain = Drained.await(cluster.clientProperties(), applicationId, topics.fops(), Duration.ofSeconds(120));
    List<SpecOracle.Logged> fops = TopicLog.fops(cluster.clientProperties(), topics.fops());
    Set<String> logged = fops.stream().map(l -> SteadyLoad.key(l.fop())).collect(Collectors.toSet());
    Comparison result = Comparison.of(SpecOracle.expected(fops, StreamsSettings.TIMEOUT_SECONDS),
        TopicLog.invalidations(cluster.clientProperties(), topics.invalidations()));
    String summary = String.format("%s: %d fops in the log (%d acknowledged from the load), drained %d ms after the "
            + "load stopped; %s; %s", fault, fops.size(), load.acknowledged(), drain.toMillis(), result.summary(),
        clients.summary());
    System.out.println(summary);
    assertThat(load.failures()).as("publish failures of the load").isEmpty();
    assertThat(clients.failures()).as("failures of the checked clients' brick").isEmpty();
    assertThat(logged).as("every acknowledged record is in the fop topic")
        .containsAll(load.acknowledgedRecords().keySet());
    assertThat(result.lost()).as("required invalidations never delivered").isEmpty();
    assertThat(result.duplicated()).as("invalidations beyond what the spec requires or permits").isEmpty();
    assertThat(clients.stale()).as("stale reads: %s", clients.staleSamples()).isZero();
    assertThat(clients.served()).as("cached answers checked").isGreaterThan(1_000);
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
