package io.upcall.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads records back from a topic in tests, polling until enough arrived or a deadline passes. */
final class Records {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private Records() {}

  /** Key → value of the first {@code count} string records on {@code topic}. */
  static Map<String, String> consume(
      EmbeddedKafkaBroker broker, String topic, int count, Map<String, Object> extra) {
    Map<String, String> byKey = new LinkedHashMap<>();
    for (ConsumerRecord<String, String> record :
        consume(broker.bootstrapServers(), topic, count, extra, new StringDeserializer())) {
      byKey.put(record.key(), record.value());
    }
    return byKey;
  }

  /** The first {@code count} records on {@code topic}, read from the beginning by a fresh group. */
  static <V> List<ConsumerRecord<String, V>> consume(
      String bootstrapServers,
      String topic,
      int count,
      Map<String, Object> extra,
      Deserializer<V> values) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "records-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putAll(extra);
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    if (records.size() < count) {
      throw new AssertionError(
          "expected "
              + count
              + " records on "
              + topic
              + " within "
              + DEADLINE
              + ", got "
              + records.size());
    }
    return records;
  }
}
