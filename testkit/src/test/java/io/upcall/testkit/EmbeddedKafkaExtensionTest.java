package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.schemas.topics.UpcallTopics;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmbeddedKafkaExtensionTest {

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @Test
  void brokerParameterIsTheRunningBroker(EmbeddedKafkaBroker broker) throws Exception {
    assertThat(broker.isRunning()).isTrue();
    try (Admin admin = Admin.create(kafka.broker().adminProperties())) {
      assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
    }
  }

  @Test
  void uniqueNamesNameTheTestAndNeverRepeat() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      names.add(kafka.uniqueName("app id"));
    }

    assertThat(names).hasSize(100);
    assertThat(names)
        .allSatisfy(
            name ->
                assertThat(name)
                    .startsWith(
                        "app_id-EmbeddedKafkaExtensionTest-uniqueNamesNameTheTestAndNeverRepeat-")
                    .matches("[a-zA-Z0-9._-]+"));
    assertThat(kafka.uniqueName("x".repeat(300))).hasSizeLessThan(120);
  }

  @Test
  void uniqueTopicsDoNotCollideAndAreCreated() throws Exception {
    UpcallTopics first = kafka.uniqueTopics();
    UpcallTopics second = kafka.uniqueTopics();

    assertThat(first.all()).doesNotContainAnyElementsOf(second.all());
    try (Admin admin = Admin.create(kafka.broker().adminProperties())) {
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
          .containsAll(first.all())
          .containsAll(second.all());
      assertThat(
              admin
                  .describeTopics(List.of(first.invalidations()))
                  .allTopicNames()
                  .get(10, TimeUnit.SECONDS)
                  .get(first.invalidations())
                  .partitions())
          .hasSize(EmbeddedKafkaExtension.DEFAULT_PARTITIONS);
    }
  }

  @Nested
  class InANestedClass {
    @Test
    void theOuterBrokerIsReused(EmbeddedKafkaBroker broker) {
      assertThat(broker).isSameAs(kafka.broker());
      assertThat(broker.isRunning()).isTrue();
    }
  }
}
