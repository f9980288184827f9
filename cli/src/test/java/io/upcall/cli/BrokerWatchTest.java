package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** A long-running command says once that it lost the broker, and once that it is back. */
class BrokerWatchTest {

  @Test
  void aLostBrokerIsSaidOnceAndItsReturnOnce() {
    List<String> said = new CopyOnWriteArrayList<>();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      String address = broker.bootstrapServers();
      try (BrokerWatch ignored =
          BrokerWatch.start(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address),
              Duration.ofSeconds(1),
              Duration.ofMillis(200),
              said::add)) {
        Eventually.never(
            Duration.ofSeconds(1), "something said while the broker runs", () -> !said.isEmpty());

        broker.stop();
        Eventually.within(Duration.ofSeconds(30), "the loss said", () -> said.size() == 1);
        Eventually.never(Duration.ofSeconds(2), "the loss said again", () -> said.size() > 1);

        broker.restart();
        Eventually.within(Duration.ofSeconds(60), "the return said", () -> said.size() == 2);
      }
      assertThat(said)
          .containsExactly(
              "lost Kafka at " + address + " (no answer within 1s); retrying until it is back",
              "Kafka at " + address + " is back");
    }
  }
}
