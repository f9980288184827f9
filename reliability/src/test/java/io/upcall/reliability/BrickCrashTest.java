package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A brick process killed without a farewell (SIGKILL: its publisher never closes, no leaving heartbeat). Its
 * heartbeats announce its delivery bound, so the streams app waits for it only until none of its records can
 * still arrive (the bound plus two heartbeat intervals), not the 60 s brick timeout: clients whose every cached
 * answer is checked against the truth refuse to serve only briefly and never serve a stale answer.
 */
@Tag("slow")
class BrickCrashTest {
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MAX_BLOCK = Duration.ofSeconds(1);
  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  /** What the app waits for the silent brick: its delivery bound (max block + delivery timeout) + 2 intervals. */
  private static final Duration PATIENCE =
      MAX_BLOCK.plus(DELIVERY_TIMEOUT).plus(HEARTBEAT.multipliedBy(2));

  /** Room for the marks' own lag on a loaded box; far below the 60 s brick timeout. */
  private static final Duration SLACK = Duration.ofSeconds(10);

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path work;

  @Test
  void clientsServeAgainWithinTheKilledBricksDeliveryBoundAndNeverStale() throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    Map<String, Object> config =
        StreamsSettings.of(
            kafka.bootstrapServers(),
            kafka.uniqueName("brick-crash"),
            topics,
            StreamsConfig.EXACTLY_ONCE_V2,
            work.resolve("state"));
    config.put("upcall.progress.interval.ms", 100);
    String prefix = topics.fops().substring(0, topics.fops().length() - "upcall.fops".length());
    try (UpcallStreamsApp app = UpcallStreamsApp.start(new UpcallStreamsConfig(config))) {
      assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
      try (ChildBrick doomed =
              ChildBrick.start(
                  kafka.bootstrapServers(),
                  prefix,
                  "doomed-brick",
                  DELIVERY_TIMEOUT,
                  MAX_BLOCK,
                  HEARTBEAT);
          CheckedClients clients =
              CheckedClients.start(
                  () ->
                      BrickPublisher.builder()
                          .bootstrapServers(kafka.bootstrapServers())
                          .topics(topics)
                          .heartbeatInterval(HEARTBEAT),
                  () ->
                      UpcallClient.builder()
                          .bootstrapServers(kafka.bootstrapServers())
                          .topics(topics),
                  3,
                  40)) {
        Eventually.within(
            Duration.ofSeconds(60),
            "the clients serve from their caches",
            () -> clients.served() > 300);
        clients.resetLongestRefusal();
        long killedAt = System.nanoTime();
        doomed.kill();
        long servedAtKill = clients.served();
        Eventually.within(
            PATIENCE.plus(SLACK).plus(Duration.ofSeconds(30)),
            "serving again after the patience",
            () ->
                System.nanoTime() - killedAt > PATIENCE.plus(Duration.ofSeconds(3)).toNanos()
                    && clients.served() > servedAtKill + 300);
        Duration refusal = clients.longestRefusal();
        clients.close();
        System.out.printf(
            "brick killed without farewell (delivery bound %d ms, heartbeat every %d ms): the app "
                + "waited %d ms for it; longest refusal %d ms (bound %d ms); %s%n",
            MAX_BLOCK.plus(DELIVERY_TIMEOUT).toMillis(),
            HEARTBEAT.toMillis(),
            PATIENCE.toMillis(),
            refusal.toMillis(),
            CheckedClients.BOUND.toMillis(),
            clients.summary());
        assertThat(clients.stale()).as("stale reads: %s", clients.staleSamples()).isZero();
        assertThat(clients.failures()).isEmpty();
        assertThat(refusal).as("longest refusal after the kill").isLessThan(PATIENCE.plus(SLACK));
      }
    }
  }
}
