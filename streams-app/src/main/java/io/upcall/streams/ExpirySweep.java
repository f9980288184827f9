package io.upcall.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes expired entries of one store, examining at most {@code budget} entries per call and resuming where the
 * previous call stopped, so one punctuation never stalls the stream thread for long however big the store is.
 */
final class ExpirySweep<V> {
  private final KeyValueStore<Bytes, V> store;
  private final int budget;
  private Bytes resumeAt;

  ExpirySweep(KeyValueStore<Bytes, V> store, int budget) {
    if (budget < 1) {
      throw new IllegalArgumentException("budget must be >= 1, got " + budget);
    }
    this.store = store;
    this.budget = budget;
  }

  /** Examines the next entries (wrapping around at the end), deletes the expired ones and returns how many. */
  int sweep(Predicate<V> expired) {
    List<Bytes> doomed = new ArrayList<>();
    Bytes next = null;
    int examined = 0;
    try (KeyValueIterator<Bytes, V> entries = resumeAt == null ? store.all() : store.range(resumeAt, null)) {
      while (entries.hasNext()) {
        KeyValue<Bytes, V> entry = entries.next();
        if (examined == budget) {
          next = entry.key;
          break;
        }
        examined++;
        if (expired.test(entry.value)) {
          doomed.add(entry.key);
        }
      }
    }
    // Deleting after the iterator is closed keeps the caching layer's and RocksDB's iterators simple.
    for (Bytes key : doomed) {
      store.delete(key);
    }
    resumeAt = next;
    return doomed.size();
  }

  /** True when the last call reached the end of the store, so the next one starts from the beginning. */
  boolean completedRound() {
    return resumeAt == null;
  }
}
