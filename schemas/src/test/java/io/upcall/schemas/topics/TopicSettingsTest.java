package io.upcall.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class TopicSettingsTest {

  @Test
  void defaultsTakeTheClustersReplicationWithHoursOfFopsAndDaysOfDeadLetters() {
    TopicSettings settings = TopicSettings.defaults();

    assertThat(settings.fopsPartitions()).isEqualTo(12);
    assertThat(settings.invalidationsPartitions()).isEqualTo(12);
    assertThat(settings.replicationFactor()).isEqualTo(TopicSettings.CLUSTER_DEFAULT_REPLICATION);
    assertThat(settings.fopsRetentionMs()).isEqualTo(Duration.ofHours(24).toMillis());
    assertThat(settings.dlqRetentionMs()).isEqualTo(Duration.ofDays(7).toMillis());
    assertThat(settings.invalidationsRetentionMs()).isEqualTo(Duration.ofHours(6).toMillis());
  }

  @Test
  void eachTopicGetsItsPartitionsAndCleanupPolicy() {
    TopicSettings settings = new TopicSettings(6, 4, (short) 3, 1000, 2000, 3000);

    List<TopicSpec> specs = settings.specs(UpcallTopics.forVolume("v"));

    assertThat(specs)
        .containsExactly(
            new TopicSpec(
                "v.upcall.fops",
                6,
                (short) 3,
                Map.of("cleanup.policy", "delete", "retention.ms", "1000")),
            new TopicSpec(
                "v.upcall.fops.dlq",
                6,
                (short) 3,
                Map.of("cleanup.policy", "delete", "retention.ms", "2000")),
            new TopicSpec(
                "v.upcall.invalidations",
                4,
                (short) 3,
                Map.of("cleanup.policy", "delete", "retention.ms", "3000")),
            new TopicSpec(
                "v.upcall.xattr-interest", 1, (short) 3, Map.of("cleanup.policy", "compact")),
            new TopicSpec("v.upcall.config", 1, (short) 3, Map.of("cleanup.policy", "compact")),
            new TopicSpec(
                "v.upcall.replies",
                6,
                (short) 3,
                Map.of("cleanup.policy", "delete", "retention.ms", "3000")));
  }

  @Test
  void settingsComeFromPropertiesWithDefaultsForWhatIsMissing() {
    Properties properties = new Properties();
    properties.setProperty(TopicSettings.PARTITIONS_CONFIG, "8");
    properties.setProperty(TopicSettings.INVALIDATIONS_PARTITIONS_CONFIG, " 3 ");
    properties.setProperty(TopicSettings.REPLICATION_FACTOR_CONFIG, "3");
    properties.setProperty(TopicSettings.DLQ_RETENTION_MS_CONFIG, "-1");

    TopicSettings settings = TopicSettings.fromConfig(properties);

    assertThat(settings)
        .isEqualTo(
            new TopicSettings(
                8,
                3,
                (short) 3,
                TopicSettings.FOPS_RETENTION_MS_DEFAULT,
                -1,
                TopicSettings.INVALIDATIONS_RETENTION_MS_DEFAULT));
    assertThat(TopicSettings.fromConfig(Map.of())).isEqualTo(TopicSettings.defaults());
    assertThat(
            TopicSettings.fromConfig(Map.of(TopicSettings.FOPS_PARTITIONS_CONFIG, 2))
                .fopsPartitions())
        .isEqualTo(2);
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> TopicSettings.defaults().withPartitions(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.fops.partitions must be >= 1, was 0");
    assertThatThrownBy(() -> TopicSettings.defaults().withReplicationFactor(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.replication.factor must be >= 1, was 0");
    assertThatThrownBy(() -> new TopicSettings(1, 0, (short) 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.invalidations.partitions must be >= 1, was 0");
    assertThatThrownBy(() -> new TopicSettings(1, 1, (short) 1, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.fops.retention.ms must be > 0 ms, or -1 to keep forever, was 0");
    assertThatThrownBy(() -> TopicSettings.fromConfig(Map.of(TopicSettings.PARTITIONS_CONFIG, "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.partitions must be >= 1, was 0");
    assertThatThrownBy(
            () -> TopicSettings.fromConfig(Map.of(TopicSettings.REPLICATION_FACTOR_CONFIG, "-2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.replication.factor must be >= 1, was -2");
    assertThatThrownBy(() -> TopicSettings.defaults().withReplicationFactor(40_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.replication.factor is too large: 40000");
  }

  @Test
  void aValueThatIsNotANumberIsRefusedNamingTheSetting() {
    assertThatThrownBy(
            () -> TopicSettings.fromConfig(Map.of(TopicSettings.FOPS_RETENTION_MS_CONFIG, "24h")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upcall.topics.fops.retention.ms must be an integer, was '24h'");
  }

  @Test
  void theClustersDefaultReplicationIsAskedForByLeavingItOut() {
    TopicSpec spec = TopicSettings.defaults().specs(UpcallTopics.defaults()).get(0);

    assertThat(spec.newTopic().replicationFactor()).isEqualTo((short) -1);
    assertThat(spec.describe())
        .startsWith("12 partitions, replication factor the cluster's default, ");
    assertThat(TopicSettings.defaults().withReplicationFactor(-1))
        .isEqualTo(TopicSettings.defaults());
    assertThat(
            TopicSettings.defaults()
                .withReplicationFactor(3)
                .specs(UpcallTopics.defaults())
                .get(0)
                .newTopic()
                .replicationFactor())
        .isEqualTo((short) 3);
  }

  @Test
  void oneReplicaIsAChoiceOnlyFromThreeBrokersOn() {
    assertThat(TopicEnsurer.singleReplicaOnAReplicatedCluster(1, 1)).isFalse();
    assertThat(TopicEnsurer.singleReplicaOnAReplicatedCluster(1, 2)).isFalse();
    assertThat(TopicEnsurer.singleReplicaOnAReplicatedCluster(1, 3)).isTrue();
    assertThat(TopicEnsurer.singleReplicaOnAReplicatedCluster(3, 3)).isFalse();
    assertThat(TopicEnsurer.singleReplicaOnAReplicatedCluster(-1, 5)).isFalse();
  }

  @Test
  void actionsReadLikeWhatHappened() {
    assertThat(new TopicAction("upcall.fops", TopicAction.Kind.CREATED, "12 partitions").toString())
        .isEqualTo("created upcall.fops: 12 partitions");
    assertThat(new TopicAction("upcall.fops", TopicAction.Kind.UP_TO_DATE, "x").toString())
        .isEqualTo("up to date upcall.fops");
    assertThat(
            new TopicAction(
                    "upcall.fops",
                    TopicAction.Kind.CONFIGS_DIFFER,
                    "{retention.ms=1 -> 2} not applied")
                .toString())
        .isEqualTo("left as is upcall.fops: {retention.ms=1 -> 2} not applied");
  }
}
