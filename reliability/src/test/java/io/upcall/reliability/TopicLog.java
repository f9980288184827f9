package io.upcall.reliability;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.opentest4j.AssertionFailedError;

/** Reads a whole topic as a read_committed consumer would, from the beginning up to its end at the time of asking. */
final class TopicLog {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private TopicLog() {}

  /** Every record of {@code topic} up to its current end (the last stable offset: committed data only). */
  static List<ConsumerRecord<byte[], byte[]>> read(
      Map<String, Object> clientProperties, String topic) {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, READ_TIMEOUT).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p, READ_TIMEOUT) < end.get(p))) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionFailedError(
              "could not read " + topic + " to its end " + end + " within " + READ_TIMEOUT);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** The fop records of the fop topic with their positions (heartbeats and undecodable records left out). */
  static List<SpecOracle.Logged> fops(Map<String, Object> clientProperties, String topic) {
    List<SpecOracle.Logged> fops = new ArrayList<>();
    var deserializer = UpcallSerdes.fopsTopic().deserializer();
    for (ConsumerRecord<byte[], byte[]> record : read(clientProperties, topic)) {
      SpecificRecord value;
      try {
        value = record.value() == null ? null : deserializer.deserialize(topic, record.value());
      } catch (RuntimeException undecodable) {
        continue;
      }
      if (value instanceof FopRecord fop) {
        fops.add(new SpecOracle.Logged(fop, topic, record.partition(), record.offset()));
      }
    }
    return fops;
  }

  /** The per-client invalidations in the invalidation topic, batches expanded, marks left out; committed ones only. */
  static List<Told> invalidations(Map<String, Object> clientProperties, String topic) {
    List<Told> told = new ArrayList<>();
    var deserializer = UpcallSerdes.invalidationsTopic().deserializer();
    var bodies = UpcallSerdes.invalidation().deserializer();
    for (ConsumerRecord<byte[], byte[]> record : read(clientProperties, topic)) {
      for (Invalidation invalidation :
          InvalidationBatches.perClient(
              deserializer.deserialize(topic, record.value()), topic, bodies)) {
        told.add(Told.of(invalidation));
      }
    }
    return told;
  }
}
