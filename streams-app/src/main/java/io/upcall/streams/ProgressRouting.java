package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** Where progress goes: to every partition, while inode events keep Kafka's default placement by key. */
final class ProgressRouting {
  private ProgressRouting() {}

  /** Every partition of the topic: progress marks into {@code upcall.invalidations}. */
  static <K, V> StreamPartitioner<K, V> everyPartition() {
    return new HeaderAwarePartitioner<>() {
      @Override
      public Optional<Set<Integer>> partitions(
          String topic, K key, V value, Headers headers, int numPartitions) {
        return Optional.of(all(numPartitions));
      }
    };
  }

  /**
   * The inode repartition topic: an inode event goes where Kafka's default partitioner puts its gfid key (as
   * without this partitioner); upstream progress goes to every partition, behind the events it covers.
   */
  static StreamPartitioner<String, SpecificRecord> inodeEventsAndProgress() {
    return new HeaderAwarePartitioner<>() {
      @Override
      public Optional<Set<Integer>> partitions(
          String topic, String key, SpecificRecord value, Headers headers, int numPartitions) {
        if (value instanceof BrickHeartbeat) {
          return Optional.of(all(numPartitions));
        }
        return Optional.of(Set.of(PerInodeFanOut.partitionOf(key, numPartitions)));
      }
    };
  }

  private static Set<Integer> all(int numPartitions) {
    return IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet());
  }

  /** Streams calls the variant with headers; the one without is still abstract, so it forwards. */
  private abstract static class HeaderAwarePartitioner<K, V> implements StreamPartitioner<K, V> {
    @Override
    public abstract Optional<Set<Integer>> partitions(
        String topic, K key, V value, Headers headers, int numPartitions);

    @Override
    @SuppressWarnings("removal")
    public Optional<Set<Integer>> partitions(String topic, K key, V value, int numPartitions) {
      return partitions(topic, key, value, new RecordHeaders(), numPartitions);
    }
  }
}
