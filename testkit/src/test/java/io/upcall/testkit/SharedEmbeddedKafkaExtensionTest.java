package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SharedEmbeddedKafkaExtensionTest {

  @RegisterExtension static final EmbeddedKafkaExtension first = EmbeddedKafkaExtension.shared();

  @RegisterExtension static final EmbeddedKafkaExtension second = EmbeddedKafkaExtension.shared();

  @Test
  void sharedExtensionsRunOneBrokerForTheWholeRun() {
    assertThat(first.broker()).isSameAs(second.broker());
    assertThat(first.broker().isRunning()).isTrue();
    assertThat(first.bootstrapServers()).isEqualTo(second.bootstrapServers());
  }

  @Test
  void namesFromSeparateExtensionsNeverCollide() {
    assertThat(first.uniqueName("group")).isNotEqualTo(second.uniqueName("group"));
  }
}
