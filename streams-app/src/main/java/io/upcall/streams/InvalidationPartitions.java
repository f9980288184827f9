package io.upcall.streams;

import io.upcall.avro.InvalidationBatch;
import io.upcall.schemas.topics.ClientPartition;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition count of {@code upcall.invalidations} as the app last saw it, shared by every task's batching (which
 * groups recipients by partition) and the output's partitioner (which learns the real count at each send). A batch
 * grouped under a count the topic no longer has goes to every partition one of its recipients now hashes to, so a
 * change of the partition count never leaves a client without its invalidations; each client reads only its own.
 */
final class InvalidationPartitions {
  private static final Logger LOG = LoggerFactory.getLogger(InvalidationPartitions.class);

  private volatile int count;

  InvalidationPartitions(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("partition count must be at least 1, was " + count);
    }
    this.count = count;
  }

  int count() {
    return count;
  }

  /** The partition {@code uid} hashes to under the count last seen. */
  int of(String uid) {
    return ClientPartition.of(uid, count);
  }

  /** Places records on upcall.invalidations: a batch where its recipients read, anything else by its client key. */
  StreamPartitioner<String, SpecificRecord> partitioner() {
    return new StreamPartitioner<>() {
      @Override
      public Optional<Set<Integer>> partitions(
          String topic, String key, SpecificRecord value, Headers headers, int numPartitions) {
        learn(numPartitions);
        if (value instanceof InvalidationBatch batch) {
          if (batch.getPartitionCount() == numPartitions) {
            return Optional.of(Set.of(batch.getPartition()));
          }
          Set<Integer> reached = new HashSet<>();
          batch
              .getChanges()
              .forEach(
                  change ->
                      change
                          .getRecipients()
                          .forEach(uid -> reached.add(ClientPartition.of(uid, numPartitions))));
          return Optional.of(reached);
        }
        return Optional.of(Set.of(ClientPartition.of(key, numPartitions)));
      }

      @Override
      @SuppressWarnings(
          "removal") // Streams calls the variant with headers; this one is still abstract
      public Optional<Set<Integer>> partitions(
          String topic, String key, SpecificRecord value, int numPartitions) {
        return partitions(topic, key, value, new RecordHeaders(), numPartitions);
      }
    };
  }

  private void learn(int numPartitions) {
    if (numPartitions != count) {
      LOG.info(
          "upcall.invalidations has {} partitions (was {}): batching by the new count",
          numPartitions,
          count);
      count = numPartitions;
    }
  }
}
