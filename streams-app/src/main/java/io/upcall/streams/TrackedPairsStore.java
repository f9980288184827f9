package io.upcall.streams;

import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Where a task keeps its tracked pairs and their access order ({@link TrackedClients}): in RocksDB, or on the heap
 * (the pairs in a {@link HeapIndexStore}, the order in a {@link HeapAccessOrder}). Both are local indexes of the
 * {@link TrackingJournal}, without a changelog of their own, so either way a task rebuilds them from the journal
 * when it starts; on the heap it rebuilds them at every start, since nothing survives the process. The journal and
 * the other changelogged stores stay in RocksDB: on the heap they would restore their whole changelog at every
 * start.
 */
enum TrackedPairsStore {
  ROCKSDB("rocksdb"),
  IN_MEMORY("in-memory");

  static final String CONFIG = "tracked-pairs-store";

  /**
   * Heap a tracked pair takes in memory, with its access-order entry, where inodes have one or two clients (the most a
   * pair costs: its inode's group is its own or nearly): 540 B measured by {@code bench --sections state} at ten
   * clients an inode with GlusterFS-style client uids of about 90 characters, plus the 107 B more the two stores alone
   * measured per pair at two clients an inode than at ten (BENCHMARKS.md, "The heap stores grouped by inode and by
   * second").
   */
  static final long HEAP_BYTES_PER_PAIR = 650;

  static final String DOC =
      "Where each task keeps its tracked (gfid, client) pairs and their access order: rocksdb (on local disk, about "
          + "100 bytes a pair and no heap) or in-memory (on the JVM heap, about "
          + HEAP_BYTES_PER_PAIR
          + " bytes a pair; 35-60 % less CPU per fop, measured). Either way both are rebuilt from the tracking "
          + "journal when a task starts without them. With in-memory the app refuses to start when max-tracked-pairs "
          + "pairs would take more than half the maximum heap (-Xmx).";

  static final String DEFAULT = ROCKSDB.text;

  private final String text;

  TrackedPairsStore(String text) {
    this.text = text;
  }

  /** The option's text, e.g. "in-memory". */
  String text() {
    return text;
  }

  /** The store named {@code text} (any case); an IllegalArgumentException names the option and the choices. */
  static TrackedPairsStore parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (TrackedPairsStore store : values()) {
      if (store.text.equals(value)) {
        return store;
      }
    }
    throw new IllegalArgumentException(
        CONFIG + " must be rocksdb or in-memory, got '" + text + "'");
  }

  /**
   * The supplier of the pairs store named {@code name}, whose keys share their first {@code groupPrefix} bytes in small
   * groups (a pair's gfid): on the heap, each group is found by hash.
   */
  KeyValueBytesStoreSupplier supplier(String name, int groupPrefix) {
    return this == IN_MEMORY
        ? HeapIndexStore.supplier(name, groupPrefix)
        : Stores.persistentKeyValueStore(name);
  }

  /** Whether the access order has a store of its own ({@link UpcallProcessor#ACCESS_ORDER_STORE}). */
  boolean keepsAccessOrderStore() {
    return this == ROCKSDB;
  }

  /**
   * A task's access order: in the store {@code store} gives for RocksDB, on the heap (no store) beside the pairs on
   * the heap.
   */
  AccessOrder accessOrder(Supplier<KeyValueStore<Bytes, byte[]>> store) {
    return this == IN_MEMORY ? new HeapAccessOrder() : new StoredAccessOrder(store.get());
  }

  /**
   * Refuses {@code maxPairs} pairs on the heap when they would take more than half of {@code maxHeapBytes}: one
   * instance may own every task after the others fail, so the whole application's bound must fit in each.
   *
   * @throws ConfigException naming this option and {@code max-tracked-pairs}
   */
  void checkFits(long maxPairs, long maxHeapBytes) {
    if (this != IN_MEMORY) {
      return;
    }
    double needed = (double) maxPairs * HEAP_BYTES_PER_PAIR;
    if (needed > maxHeapBytes / 2.0) {
      throw new ConfigException(
          String.format(
              Locale.ROOT,
              "%s=%s keeps the tracked pairs on the heap, about %d bytes each: %s=%d would need about %.1f GB, more"
                  + " than half (%.1f GB) of this JVM's maximum heap. Lower %s (at most %d here), raise -Xmx, or"
                  + " set %s=%s.",
              CONFIG,
              text,
              HEAP_BYTES_PER_PAIR,
              TrackingBound.MAX_TRACKED_PAIRS_CONFIG,
              maxPairs,
              needed / 1e9,
              maxHeapBytes / 2e9,
              TrackingBound.MAX_TRACKED_PAIRS_CONFIG,
              maxHeapBytes / 2 / HEAP_BYTES_PER_PAIR,
              CONFIG,
              ROCKSDB.text));
    }
  }
}
