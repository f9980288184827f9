package io.upcall.streams;

import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's batches of invalidations still being filled, one per partition of {@code upcall.invalidations}.
 *
 * <p>Why no batch is lost at a commit: Kafka Streams commits between records and punctuations, never during one,
 * and the processor calls {@link #persist()} at the end of each. Each batch then stands in the outbox store as
 * the journal of what it holds. That store has a record cache and a changelog: a commit flushes the cache to the
 * changelog before the input offsets are committed (at-least-once) or inside the transaction that commits them
 * (exactly-once), so whatever a commit claims as processed is either already written as a batch or durable in the
 * changelog, from which a restarted task rebuilds and writes it. The cache keeps the cost at one changelog record
 * per partition with a batch open at a commit. Progress marks hold back to before the earliest change still in a
 * batch ({@link #earliestEventTimeMs}), so a client is never told it is fresh past an invalidation not yet written.
 */
final class InvalidationOutbox {
  /** Partition (4 bytes) → the journal of its open batch. */
  static final String STORE = "upcall-invalidation-outbox";

  private final KeyValueStore<Bytes, byte[]> store;
  private final InvalidationPartitions partitions;
  private final BatchSettings settings;
  private final String topic;
  private final Serializer<Invalidation> encoder;
  private final Deserializer<Invalidation> decoder;
  private final Map<Integer, OpenBatch> open = new LinkedHashMap<>();
  private final Set<Integer> changed = new HashSet<>();

  /** The partitions with a journal in the store. */
  private final Set<Integer> stored = new HashSet<>();

  private final List<OpenBatch> full = new ArrayList<>();

  /**
   * Journal buffers of written batches, by partition, for the partition's next batch: a batch's journal grows to
   * about the batch size, and growing a fresh one by doubling for every batch was the most copying the fan-out did.
   */
  private final Map<Integer, byte[]> spareJournals = new HashMap<>();

  private Invalidation lastBody;
  private byte[] lastEncoded;

  InvalidationOutbox(
      KeyValueStore<Bytes, byte[]> store,
      InvalidationPartitions partitions,
      BatchSettings settings,
      String topic,
      Serializer<Invalidation> encoder,
      Deserializer<Invalidation> decoder) {
    this.store = store;
    this.partitions = partitions;
    this.settings = settings;
    this.topic = topic;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  /** Rebuilds the batches a previous owner of this task left open; true when there were any. */
  boolean restore() {
    List<byte[]> journals = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
      all.forEachRemaining(
          entry -> {
            journals.add(entry.value);
            int partition = ByteBuffer.wrap(entry.key.get()).getInt();
            changed.add(partition);
            stored.add(partition);
          });
    }
    for (byte[] journal : journals) {
      byte[][] lastBytes = {null};
      Invalidation[] lastDecoded = {null};
      OpenBatch.replay(
          journal,
          (client, encoded) -> {
            if (encoded != lastBytes[0]) {
              lastBytes[0] = encoded;
              lastDecoded[0] = decoder.deserialize(topic, encoded);
            }
            add(client, lastDecoded[0], Long.MIN_VALUE);
          });
    }
    return !journals.isEmpty();
  }

  /** Adds {@code body} (client uid empty) for {@code client}; the same body object for many clients is encoded once. */
  void add(String client, Invalidation body, long timestamp) {
    if (body != lastBody) {
      lastBody = body;
      lastEncoded = encoder.serialize(topic, body);
    }
    int partition = partitions.of(client);
    OpenBatch batch = open.get(partition);
    if (batch == null) {
      byte[] buffer = spareJournals.remove(partition);
      batch =
          buffer == null
              ? new OpenBatch(partition, partitions.count())
              : new OpenBatch(partition, partitions.count(), buffer);
      open.put(partition, batch);
    }
    batch.add(client, body, lastEncoded, timestamp);
    changed.add(partition);
    if (batch.bytes() >= settings.maxBytes()) {
      full.add(open.remove(partition));
    }
  }

  boolean isEmpty() {
    return open.isEmpty() && full.isEmpty();
  }

  /** The batches that reached the size bound since the last call, to be written now. */
  List<InvalidationBatch> takeFull() {
    List<InvalidationBatch> records = new ArrayList<>(full.size());
    for (OpenBatch batch : full) {
      records.add(written(batch));
    }
    full.clear();
    return records;
  }

  /** Every batch, full or not, to be written now; the outbox is empty after. */
  List<InvalidationBatch> takeAll() {
    List<InvalidationBatch> records = takeFull();
    changed.addAll(open.keySet());
    changed.addAll(stored);
    for (OpenBatch batch : open.values()) {
      records.add(written(batch));
    }
    open.clear();
    return records;
  }

  /** The latest input timestamp among the open batches, for the records that write them. */
  long latestTimestamp(long otherwise) {
    long latest = Long.MIN_VALUE;
    for (OpenBatch batch : open.values()) {
      latest = Math.max(latest, batch.latestTimestamp());
    }
    for (OpenBatch batch : full) {
      latest = Math.max(latest, batch.latestTimestamp());
    }
    return latest == Long.MIN_VALUE ? otherwise : latest;
  }

  /** Writes each batch that changed since the last call to the store, or removes it when it was written out. */
  void persist() {
    for (int partition : changed) {
      OpenBatch batch = open.get(partition);
      Bytes key = key(partition);
      if (batch == null || batch.isEmpty()) {
        if (stored.remove(partition)) {
          store.delete(key);
        }
      } else {
        store.put(key, batch.journal());
        stored.add(partition);
      }
    }
    changed.clear();
  }

  /** The event time of the earliest change in any open batch of {@code store}, or Long.MAX_VALUE when none is. */
  static long earliestEventTimeMs(KeyValueStore<Bytes, byte[]> store) {
    long earliest = Long.MAX_VALUE;
    try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
      while (all.hasNext()) {
        earliest = Math.min(earliest, OpenBatch.earliestEventTimeMs(all.next().value));
      }
    }
    return earliest;
  }

  /** {@code batch} as the record that writes it; its journal buffer is kept for the partition's next batch. */
  private InvalidationBatch written(OpenBatch batch) {
    InvalidationBatch record = batch.toRecord(this::encode);
    byte[] buffer = batch.release();
    if (buffer.length <= 2 * settings.maxBytes()) {
      spareJournals.put(record.getPartition(), buffer);
    }
    return record;
  }

  private byte[] encode(Invalidation body) {
    return encoder.serialize(topic, body);
  }

  private static Bytes key(int partition) {
    return Bytes.wrap(ByteBuffer.allocate(4).putInt(partition).array());
  }
}
