package io.upcall.client;

import io.upcall.avro.XattrInterest;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Registers a client's xattr patterns in the compacted {@code upcall.xattr-interest} topic, keyed by its uid. */
final class XattrInterestPublisher implements AutoCloseable {
  private final Producer<String, XattrInterest> producer;
  private final String topic;
  private final String uid;
  private final Clock clock;

  XattrInterestPublisher(
      Producer<String, XattrInterest> producer, String topic, String uid, Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.uid = uid;
    this.clock = clock;
  }

  /** Replaces the registration; completes once the broker acknowledged it. */
  CompletableFuture<Void> publish(XattrPatterns patterns) {
    XattrInterest interest =
        XattrInterest.newBuilder()
            .setClient(uid)
            .setPatterns(patterns.globs())
            .setUpdatedAtMs(clock.millis())
            .build();
    return send(interest);
  }

  /** Removes the registration: uids are per connection, so a compacted topic would otherwise keep every one. */
  CompletableFuture<Void> withdraw() {
    return send(null);
  }

  private CompletableFuture<Void> send(XattrInterest value) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, uid, value),
          (metadata, error) -> {
            if (error == null) {
              acked.complete(null);
            } else {
              acked.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }

  void close(Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
