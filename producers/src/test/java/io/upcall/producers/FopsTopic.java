package io.upcall.producers;

import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Fresh topics for a test, and reading back what it published, decoded with the production serde. */
public final class FopsTopic {
  private FopsTopic() {}

  /**
   * Unique topics whose partitions all have a serving leader. Right after creation the broker may still refuse
   * produce requests (NOT_LEADER_OR_FOLLOWER) while a later batch of the same idempotent producer is already
   * accepted, which leaves the first batch out of sequence until its delivery timeout.
   */
  public static UpcallTopics fresh(EmbeddedKafkaExtension kafka, int partitions) {
    UpcallTopics topics = kafka.uniqueTopics(partitions);
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topics.fops(), p), OffsetSpec.latest());
      }
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS); // answered by each partition's leader
    } catch (Exception e) {
      throw new IllegalStateException("partitions of " + topics + " have no leader", e);
    }
    return topics;
  }

  /** Every record of {@code topic}, polling until {@code done} holds for what was read or the deadline passes. */
  static List<ConsumerRecord<String, SpecificRecord>> readUntil(
      String bootstrapServers,
      String topic,
      Predicate<List<ConsumerRecord<String, SpecificRecord>>> done,
      Duration deadline) {
    return readUntil(
        bootstrapServers, topic, UpcallSerdes.fopsTopic().deserializer(), done, deadline);
  }

  /** Every record of a fops topic up to its current end offsets. */
  public static List<ConsumerRecord<String, SpecificRecord>> readAll(
      String bootstrapServers, String topic) {
    return readAll(bootstrapServers, topic, UpcallSerdes.fopsTopic().deserializer());
  }

  /** Every record of {@code topic} up to its current end offsets, values read with {@code values}. */
  public static <V> List<ConsumerRecord<String, V>> readAll(
      String bootstrapServers, String topic, Deserializer<V> values) {
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .collect(Collectors.toList());
      long total =
          consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream()
              .mapToLong(Long::longValue)
              .sum();
      return readUntil(
          bootstrapServers, topic, values, read -> read.size() >= total, Duration.ofSeconds(30));
    }
  }

  private static <V> List<ConsumerRecord<String, V>> readUntil(
      String bootstrapServers,
      String topic,
      Deserializer<V> values,
      Predicate<List<ConsumerRecord<String, V>>> done,
      Duration deadline) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            5000);
    List<ConsumerRecord<String, V>> read = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long end = System.nanoTime() + deadline.toNanos();
      while (!done.test(read) && System.nanoTime() < end) {
        consumer.poll(Duration.ofMillis(100)).forEach(read::add);
      }
    }
    return read;
  }
}
