package io.upcall.producers;

import static io.upcall.producers.TestFops.BRICK;
import static io.upcall.producers.TestFops.T0;
import static io.upcall.producers.TestFops.VOLUME;
import static io.upcall.producers.TestFops.gfid;
import static io.upcall.producers.TestFops.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.FopRecord;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Its own broker: the test stops and restarts it. */
class BrickPublisherOutageTest {
  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @Test
  void stoppedBrokerMakesPublishFailAfterTheBoundAndLosesNothingAcknowledged(
      EmbeddedKafkaBroker broker) throws Exception {
    // configure
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    Duration maxBlock = Duration.ofSeconds(2);
    BrickPublisher publisher =
        BrickPublisher.builder()
            .bootstrapServers(broker.bootstrapServers())
            .volume(VOLUME)
            .brick(BRICK)
            .topics(topics)
            .heartbeatInterval(Duration.ZERO)
            .maxBlock(maxBlock)
            .bufferMemory(256 * 1024)
            .deliveryTimeout(Duration.ofSeconds(6))
            .build();
    Set<String> acknowledged = new HashSet<>();
    List<CompletableFuture<RecordMetadata>> all = new ArrayList<>();
    int n = 0;
    for (; n < 2_000; n++) {
      all.add(
          track(publisher.publish(write(gfid(n % 100), T0 + n, "f" + n)), "f" + n, acknowledged));
    }
    all.forEach(CompletableFuture::join);

    // broker gone: publishing goes on into the bounded buffer, then blocks for the bound and fails
    broker.stop();
    long blockedNanos = 0;
    PublishException refusal = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (refusal == null && System.nanoTime() < deadline) {
      long start = System.nanoTime();
      CompletableFuture<RecordMetadata> ack =
          track(publisher.publish(write(gfid(n % 100), T0 + n, "f" + n)), "f" + n, acknowledged);
      blockedNanos = System.nanoTime() - start;
      all.add(ack);
      n++;
      if (ack.isCompletedExceptionally()) {
        refusal = (PublishException) catchCause(ack);
      }
    }
    assertThat(refusal).as("publish failed within a minute of the broker stopping").isNotNull();
    assertThat(blockedNanos)
        .isBetween(maxBlock.toNanos() - 100_000_000L, maxBlock.toNanos() + 3_000_000_000L);
    assertThat(refusal)
        .hasMessageStartingWith("broker unreachable")
        .hasMessageContaining("for 2 s")
        .hasMessageContaining("while publishing WRITE gfid=");

    // every future completes, none silently dropped: the buffered ones fail at the delivery timeout
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .handle((ok, error) -> null)
        .get(30, TimeUnit.SECONDS);
    PublisherMetrics metrics = publisher.metrics();
    assertThat(metrics.inFlight()).isZero();
    assertThat(metrics.sent() + metrics.failed()).isEqualTo(all.size());
    assertThat(metrics.sent()).isEqualTo(acknowledged.size());

    // broker back: everything acknowledged is there, and publishing resumes by itself
    broker.restart();
    publisher.publish(write(gfid(1), T0 + n, "after-restart")).get(60, TimeUnit.SECONDS);
    publisher.close();
    Set<String> stored = new HashSet<>();
    FopsTopic.readAll(broker.bootstrapServers(), topics.fops())
        .forEach(record -> stored.add(((FopRecord) record.value()).getFopId()));
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(2_000);
    assertThat(stored).containsAll(acknowledged).contains("after-restart");
  }

  private static CompletableFuture<RecordMetadata> track(
      CompletableFuture<RecordMetadata> ack, String fopId, Set<String> acknowledged) {
    // The returned stage completes after the bookkeeping, with the same outcome.
    return ack.whenComplete(
        (metadata, error) -> {
          if (error == null) {
            synchronized (acknowledged) {
              acknowledged.add(fopId);
            }
          }
        });
  }

  private static Throwable catchCause(CompletableFuture<?> future) {
    try {
      future.join();
      throw new AssertionError("future completed normally");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
