package io.upcall.client;

import io.upcall.avro.LeaseRecallReply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends recall answers to {@code upcall.replies}, keyed by the brick that asked so it reads one partition. */
final class RecallReplySender implements AutoCloseable {
  private final Producer<String, LeaseRecallReply> producer;
  private final String topic;

  RecallReplySender(Producer<String, LeaseRecallReply> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  CompletableFuture<Void> send(LeaseRecallReply reply) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, reply.getBrick(), reply),
          (metadata, error) -> {
            if (error == null) {
              sent.complete(null);
            } else {
              sent.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      sent.completeExceptionally(e);
    }
    return sent;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
