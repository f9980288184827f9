package io.upcall.reliability;

import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The streams app's configuration in these tests: one application on the given topics, tuned for fast failover. */
final class StreamsSettings {
  /** T, the cache-invalidation-timeout (docs/semantics.md), in seconds. */
  static final int TIMEOUT_SECONDS = 60;

  private StreamsSettings() {}

  static Map<String, Object> of(
      String bootstrapServers,
      String applicationId,
      UpcallTopics topics,
      String guarantee,
      Path stateDir)
      throws IOException {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("application.id", applicationId);
    config.put(
        "upcall.topics.prefix",
        topics.fops().substring(0, topics.fops().length() - "upcall.fops".length()));
    config.put("upcall.topics.partitions", EmbeddedKafkaExtension.DEFAULT_PARTITIONS);
    config.put("replication.factor", 1);
    config.put("processing.guarantee", guarantee);
    config.put("commit.interval.ms", 100);
    config.put("state.dir", Files.createDirectories(stateDir).toString());
    config.put("upcall.http.port", -1);
    config.put("cache-invalidation-timeout", TIMEOUT_SECONDS);
    // A killed member never leaves the group: its partitions move only when its session times out
    // (Kafka's default 45 s). 6 s is the brokers' minimum; the README recommends it where failover
    // time matters.
    config.put("session.timeout.ms", 6_000);
    config.put("heartbeat.interval.ms", 1_500);
    return config;
  }
}
