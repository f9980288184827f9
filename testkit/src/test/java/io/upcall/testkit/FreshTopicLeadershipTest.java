package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.schemas.topics.UpcallTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Right after a topic is created the broker may still refuse writes as "not leader"; an idempotent producer's first
 * batch then waited out its delivery timeout in about 40 % of rounds. Topics handed out by the testkit must accept
 * that first batch at once.
 */
class FreshTopicLeadershipTest {
  private static final int ROUNDS = 10;

  /** Far below the producer's delivery timeout: an acknowledged batch takes milliseconds here. */
  private static final long PROMPT_MS = 5_000;

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @Test
  void anIdempotentProducersFirstBatchToFreshUniqueTopicsIsAcknowledgedPromptly() throws Exception {
    List<String> slow = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      UpcallTopics topics = kafka.uniqueTopics();
      try (KafkaProducer<String, String> producer = idempotentProducer()) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        // Many small batches per partition, several in flight at once, as a publisher under load
        // sends.
        for (int i = 0; i < 400; i++) {
          acks.add(producer.send(new ProducerRecord<>(topics.fops(), "gfid-" + i % 16, "first")));
        }
        for (Future<RecordMetadata> ack : acks) {
          try {
            ack.get(PROMPT_MS, TimeUnit.MILLISECONDS);
          } catch (TimeoutException | ExecutionException e) {
            slow.add("round " + round + ": " + e);
            break;
          }
        }
        double retries = retries(producer);
        if (retries > 0) {
          slow.add("round " + round + ": " + retries + " batches refused and retried");
        }
      }
    }
    assertThat(slow)
        .as("first batches refused or not acknowledged within %d ms", PROMPT_MS)
        .isEmpty();
  }

  @Test
  void createdTopicsAcceptAnIdempotentProducersFirstBatchPromptly() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      String topic = kafka.uniqueName("created");
      kafka.broker().createTopics(4, topic);
      try (KafkaProducer<String, String> producer = idempotentProducer()) {
        RecordMetadata ack =
            producer
                .send(new ProducerRecord<>(topic, "k", "first"))
                .get(PROMPT_MS, TimeUnit.MILLISECONDS);
        assertThat(ack.topic()).isEqualTo(topic);
        assertThat(retries(producer)).as("batches refused (e.g. not leader) and retried").isZero();
      }
    }
  }

  private static double retries(KafkaProducer<String, String> producer) {
    return producer.metrics().entrySet().stream()
        .filter(
            e ->
                e.getKey().group().equals("producer-metrics")
                    && e.getKey().name().equals("record-retry-total"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }

  private static KafkaProducer<String, String> idempotentProducer() {
    Map<String, Object> config = kafka.clientProperties();
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }
}
