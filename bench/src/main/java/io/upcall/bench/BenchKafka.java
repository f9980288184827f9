package io.upcall.bench;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The bench's view of the cluster: one admin client, topics bounded in time and bytes and named after the run
 * (so that {@link #close()} deletes every one of them, Streams' internal topics included), offsets and lag.
 */
final class BenchKafka implements AutoCloseable {
  /**
   * An unthrottled producer writes ≈ 12 GB a minute here: every measured topic keeps at most 128 MiB per partition
   * (32 MiB segments) and ten minutes, and is deleted when the run ends.
   */
  static final Map<String, String> BOUNDED =
      Map.of(
          "retention.ms", Long.toString(Duration.ofMinutes(10).toMillis()),
          "retention.bytes", Long.toString(128L << 20),
          "segment.bytes", Long.toString(32L << 20));

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final BenchCluster cluster;
  private final String runId;
  private final Admin admin;

  BenchKafka(BenchCluster cluster) {
    this.cluster = cluster;
    this.bootstrapServers = cluster.bootstrapServers();
    this.runId =
        "bench-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
            + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** CPU the broker process used so far, ns, or -1 when the bench cannot see it. */
  long brokerCpuNanos() {
    return cluster.brokerCpuNanos();
  }

  /** Prefix of every topic and application id of this run, e.g. {@code bench-20261125-113000-a1b2}. */
  String runId() {
    return runId;
  }

  /** A name of this run for {@code what}: {@code <runId>-<what>}. */
  String name(String what) {
    return runId + "-" + what;
  }

  Admin admin() {
    return admin;
  }

  /** Creates {@code topic} with {@code partitions}, bounded by {@link #BOUNDED} plus {@code configs}. */
  void createBounded(String topic, int partitions, Map<String, String> configs) {
    Map<String, String> all = new HashMap<>(BOUNDED);
    all.putAll(configs);
    try {
      get(
          admin
              .createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(all)))
              .all());
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    awaitVisible(Set.of(topic));
  }

  /** Waits until the broker's metadata lists {@code topics}: a creation is acknowledged before it is visible. */
  void awaitVisible(Set<String> topics) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!get(admin.listTopics().names()).containsAll(topics)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "topics " + topics + " not visible after " + TIMEOUT.toSeconds() + " s");
      }
      pause(20);
    }
  }

  /** The partitions of {@code topic}. */
  List<TopicPartition> partitions(String topic) {
    return get(admin.describeTopics(List.of(topic)).allTopicNames())
        .get(topic)
        .partitions()
        .stream()
        .map(info -> new TopicPartition(topic, info.partition()))
        .toList();
  }

  /** The sum of the end offsets of {@code topic}'s partitions. */
  long endOffsets(String topic) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartition partition : partitions(topic)) {
      latest.put(partition, OffsetSpec.latest());
    }
    return get(admin.listOffsets(latest).all()).values().stream()
        .mapToLong(ListOffsetsResultInfo::offset)
        .sum();
  }

  /**
   * Where a Streams application stands on every topic it reads: its source {@code topic} and its repartition
   * topics ({@code <group>-...-repartition}), each as {committed, end} summed over partitions. A stage behind a
   * repartition can fall behind while the source is read at full speed, so lag is only lag when all are counted.
   */
  Map<String, long[]> progress(String group, String topic) {
    List<String> topics = new ArrayList<>();
    topics.add(topic);
    for (String name : get(admin.listTopics().names())) {
      if (name.startsWith(group + "-") && name.endsWith("-repartition")) {
        topics.add(name);
      }
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (String name : topics) {
      for (TopicPartition partition : partitions(name)) {
        latest.put(partition, OffsetSpec.latest());
      }
    }
    Map<TopicPartition, ListOffsetsResultInfo> ends = get(admin.listOffsets(latest).all());
    Map<TopicPartition, OffsetAndMetadata> committed =
        get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
    Map<String, long[]> byTopic = new LinkedHashMap<>();
    for (String name : topics) {
      byTopic.put(name, new long[2]);
    }
    ends.forEach(
        (partition, end) -> {
          long[] sums = byTopic.get(partition.topic());
          OffsetAndMetadata offset = committed.get(partition);
          sums[0] += offset == null ? 0 : offset.offset();
          sums[1] += end.offset();
        });
    return byTopic;
  }

  /** Records of {@code topic} and of the group's repartition topics that {@code group} has not committed yet. */
  long lag(String group, String topic) {
    long lag = 0;
    for (long[] sums : progress(group, topic).values()) {
      lag += Math.max(0, sums[1] - sums[0]);
    }
    return lag;
  }

  /**
   * Waits until {@code group} has committed everything in {@code topic} and in its repartition topics.
   *
   * @return false when it did not within {@code timeout}
   */
  boolean awaitNoLag(String group, String topic, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lag(group, topic) > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause(100);
    }
    return true;
  }

  /** Bytes the broker holds for {@code topic}, all partitions. */
  long topicBytes(String topic) {
    int broker = get(admin.describeCluster().nodes()).iterator().next().id();
    long bytes = 0;
    for (var dir :
        get(admin.describeLogDirs(List.of(broker)).allDescriptions()).get(broker).values()) {
      for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
        if (replica.getKey().topic().equals(topic)) {
          bytes += replica.getValue().size();
        }
      }
    }
    return bytes;
  }

  /** Deletes the topics named {@code <runId>-<what>...}, Streams' internal ones included. */
  void deleteTopics(String what) {
    String prefix = name(what);
    List<String> doomed = new ArrayList<>();
    for (String topic : get(admin.listTopics().names())) {
      if (topic.startsWith(prefix)) {
        doomed.add(topic);
      }
    }
    if (!doomed.isEmpty()) {
      try {
        get(admin.deleteTopics(doomed).all());
      } catch (IllegalStateException e) {
        // Best effort: the bounds keep what is left small, and a rerun uses new names.
      }
    }
  }

  /** Deletes every topic of this run, then closes the admin client. */
  @Override
  public void close() {
    try {
      List<String> doomed =
          get(admin.listTopics().names()).stream()
              .filter(topic -> topic.startsWith(runId))
              .toList();
      if (!doomed.isEmpty()) {
        get(admin.deleteTopics(doomed).all());
      }
    } catch (IllegalStateException e) {
      // The broker may be gone already; its own data goes with it.
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }

  static <T> T get(KafkaFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "no answer from the cluster within " + TIMEOUT.toSeconds() + " s", e);
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }
}
