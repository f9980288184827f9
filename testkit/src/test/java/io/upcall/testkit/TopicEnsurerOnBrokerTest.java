package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.schemas.topics.TopicAction;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicEnsurerOnBrokerTest {

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @Test
  void secondRunCreatesNothingAndReportsEveryTopicUpToDate() {
    UpcallTopics topics = UpcallTopics.withPrefix(kafka.uniqueName("ensure") + ".");
    TopicSettings settings = TopicSettings.defaults().withPartitions(3);

    try (Admin admin = Admin.create(kafka.broker().adminProperties())) {
      List<TopicAction> first = TopicEnsurer.ensure(admin, topics, settings);
      List<TopicAction> second = TopicEnsurer.ensure(admin, topics, settings);

      assertThat(first)
          .extracting(TopicAction::kind)
          .containsOnly(TopicAction.Kind.CREATED)
          .hasSize(topics.all().size());
      assertThat(second)
          .extracting(TopicAction::kind)
          .containsOnly(TopicAction.Kind.UP_TO_DATE)
          .hasSize(topics.all().size());
      assertThat(second).extracting(TopicAction::topic).containsExactlyElementsOf(topics.all());
    }
  }

  @Test
  void createdTopicsCarryTheirCleanupPolicyRetentionAndPartitions() throws Exception {
    long fopsRetention = Duration.ofHours(2).toMillis();
    UpcallTopics topics = UpcallTopics.withPrefix(kafka.uniqueName("configs") + ".");
    TopicSettings settings =
        new TopicSettings(
            3,
            2,
            (short) 1,
            fopsRetention,
            Duration.ofDays(3).toMillis(),
            Duration.ofHours(1).toMillis());

    try (Admin admin = Admin.create(kafka.broker().adminProperties())) {
      TopicEnsurer.ensure(admin, topics, settings);
      Map<String, Config> configs = topicConfigs(admin, topics.all());

      assertThat(configs.get(topics.xattrInterest()).get("cleanup.policy").value())
          .isEqualTo("compact");
      assertThat(configs.get(topics.config()).get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(configs.get(topics.fops()).get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(configs.get(topics.fops()).get("retention.ms").value())
          .isEqualTo(String.valueOf(fopsRetention));
      assertThat(configs.get(topics.fopsDlq()).get("retention.ms").value())
          .isEqualTo(String.valueOf(Duration.ofDays(3).toMillis()));
      assertThat(configs.get(topics.invalidations()).get("retention.ms").value())
          .isEqualTo(String.valueOf(Duration.ofHours(1).toMillis()));
      assertThat(partitions(admin, topics.fops())).isEqualTo(3);
      assertThat(partitions(admin, topics.invalidations())).isEqualTo(2);
    }
  }

  @Test
  void ensureLeavesTheConfigsOfAnExistingTopicAsTheyAre() throws Exception {
    UpcallTopics topics = UpcallTopics.withPrefix(kafka.uniqueName("operated") + ".");
    TopicSettings before = TopicSettings.defaults().withPartitions(2);
    TopicSettings after =
        new TopicSettings(
            2,
            2,
            (short) 1,
            Duration.ofMinutes(30).toMillis(),
            before.dlqRetentionMs(),
            before.invalidationsRetentionMs());

    try (Admin admin = Admin.create(kafka.broker().adminProperties())) {
      TopicEnsurer.ensure(admin, topics, before);
      List<TopicAction> actions = TopicEnsurer.ensure(admin, topics, after);

      assertThat(actions)
          .filteredOn(a -> a.kind() == TopicAction.Kind.CONFIGS_DIFFER)
          .extracting(TopicAction::topic)
          .containsExactly(topics.fops());
      assertThat(actions)
          .extracting(TopicAction::kind)
          .doesNotContain(TopicAction.Kind.CONFIGS_UPDATED);
      assertThat(
              topicConfigs(admin, List.of(topics.fops()))
                  .get(topics.fops())
                  .get("retention.ms")
                  .value())
          .isEqualTo(String.valueOf(before.fopsRetentionMs()));
    }
  }

  @Test
  void createdWithTheClustersDefaultReplicationItSaysWhatThatWas() {
    UpcallTopics topics = UpcallTopics.withPrefix(kafka.uniqueName("default-rf") + ".");

    try (Admin admin = Admin.create(kafka.broker().adminProperties())) {
      List<TopicAction> actions =
          TopicEnsurer.ensure(admin, topics, TopicSettings.defaults().withPartitions(2));

      assertThat(actions.get(0).detail())
          .startsWith("2 partitions, replication factor 1 (the cluster's default)");
    }
  }

  @Test
  void alignWithChangedRetentionUpdatesTheExistingTopic() throws Exception {
    UpcallTopics topics = UpcallTopics.withPrefix(kafka.uniqueName("update") + ".");
    TopicSettings before = TopicSettings.defaults().withPartitions(2);
    TopicSettings after =
        new TopicSettings(
            2,
            2,
            (short) 1,
            Duration.ofMinutes(30).toMillis(),
            before.dlqRetentionMs(),
            before.invalidationsRetentionMs());

    try (Admin admin = Admin.create(kafka.broker().adminProperties())) {
      TopicEnsurer.ensure(admin, topics, before);
      List<TopicAction> actions = TopicEnsurer.align(admin, topics, after);

      assertThat(actions)
          .filteredOn(a -> a.kind() == TopicAction.Kind.CONFIGS_UPDATED)
          .extracting(TopicAction::topic)
          .containsExactly(topics.fops());
      assertThat(
              topicConfigs(admin, List.of(topics.fops()))
                  .get(topics.fops())
                  .get("retention.ms")
                  .value())
          .isEqualTo(String.valueOf(Duration.ofMinutes(30).toMillis()));
    }
  }

  private static Map<String, Config> topicConfigs(Admin admin, List<String> names)
      throws Exception {
    List<ConfigResource> resources =
        names.stream()
            .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
            .collect(Collectors.toList());
    return admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS).entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
  }

  private static int partitions(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(10, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .size();
  }
}
