package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three real brokers in child JVMs: a topic gets three replicas and min ISR 2, and leadership moves when its leader
 * is killed, hangs or comes back; the active controller can be named and killed.
 */
@Tag("slow")
class KafkaClusterTest {
  private static KafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = KafkaCluster.builder().brokers(3).build().start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void topicsAreReplicatedThreeTimesWithMinIsrTwo() throws Exception {
    String topic = "replicated";
    try (Admin admin = Admin.create(cluster.clientProperties())) {
      admin
          .createTopics(List.of(new NewTopic(topic, 2, (short) 3)))
          .all()
          .get(30, TimeUnit.SECONDS);
      cluster.awaitTopics(List.of(topic));
      ConfigEntry minIsr =
          admin
              .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
              .all()
              .get(30, TimeUnit.SECONDS)
              .values()
              .iterator()
              .next()
              .get("min.insync.replicas");
      assertThat(minIsr.value()).isEqualTo("2");
    }
    Eventually.within(
        Duration.ofSeconds(30),
        "all three in sync",
        () -> cluster.inSyncReplicas(new TopicPartition(topic, 0)).equals(List.of(1, 2, 3)));
    assertThat(cluster.controllerIds()).containsExactly(1, 2, 3);
    assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
  }

  @Test
  void leadershipMovesWhenItsLeaderIsKilledOrPausedAndTheControllerCanBeKilled() throws Exception {
    String topic = "failover";
    TopicPartition partition = new TopicPartition(topic, 0);
    try (Admin admin = Admin.create(cluster.clientProperties())) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 3)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    cluster.awaitTopics(List.of(topic));
    try (KafkaProducer<String, String> producer = producer()) {
      producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);

      int leader = cluster.leaderOf(partition).orElseThrow();
      cluster.kill(leader);
      assertThat(cluster.isRunning(leader)).isFalse();
      Eventually.within(
          Duration.ofSeconds(30),
          "a new leader",
          () -> cluster.leaderOf(partition).filter(id -> id != leader).isPresent());
      // acks=all with two of three replicas: min ISR 2 still met.
      producer.send(new ProducerRecord<>(topic, "k", "one down")).get(30, TimeUnit.SECONDS);
      cluster.restart(leader);
      Eventually.within(
          Duration.ofSeconds(60),
          "the restarted broker back in sync",
          () -> cluster.inSyncReplicas(partition).contains(leader));

      int hung = cluster.leaderOf(partition).orElseThrow();
      cluster.pause(hung);
      assertThat(cluster.isPaused(hung)).isTrue();
      Eventually.within(
          Duration.ofSeconds(30),
          "leadership away from the paused broker",
          () -> cluster.leaderOf(partition).filter(id -> id != hung).isPresent());
      cluster.resume(hung);
      Eventually.within(
          Duration.ofSeconds(60),
          "the resumed broker back in sync",
          () -> cluster.inSyncReplicas(partition).contains(hung));

      int controller = cluster.activeController().orElseThrow();
      cluster.kill(controller);
      Eventually.within(
          Duration.ofSeconds(30),
          "another active controller",
          () -> cluster.activeController().filter(id -> id != controller).isPresent());
      producer.send(new ProducerRecord<>(topic, "k", "controller down")).get(30, TimeUnit.SECONDS);
      cluster.restart(controller);
      assertThat(Set.copyOf(cluster.nodeIds())).containsExactlyInAnyOrder(1, 2, 3);
    }
  }

  private static KafkaProducer<String, String> producer() {
    Map<String, Object> config = cluster.clientProperties();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }
}
