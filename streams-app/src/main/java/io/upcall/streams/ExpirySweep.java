package io.upcall.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes the expired entries of one store a slice at a time: each call examines at least {@link #MIN_ENTRIES}
 * entries, then goes on while its time budget lasts, and the next call resumes where it stopped (wrapping around
 * at the end). One punctuation thus never stalls the stream thread for long, however big the store.
 */
final class ExpirySweep<V> {
  /** Entries examined whatever the clock says, so small stores are swept whole in one call. */
  static final int MIN_ENTRIES = 1_024;

  private static final int DELETE_BATCH = 256;

  private final KeyValueStore<Bytes, V> store;
  private final long budgetNanos;
  private final LongSupplier ticker;
  private Bytes resumeAt;

  ExpirySweep(KeyValueStore<Bytes, V> store, Duration budget, LongSupplier ticker) {
    this.store = store;
    this.budgetNanos = budget.toNanos();
    this.ticker = ticker;
  }

  /** Examines the next slice of entries, deletes those {@code expired} accepts, and returns how many. */
  int sweep(Predicate<V> expired) {
    long deadline = ticker.getAsLong() + budgetNanos;
    int examined = 0;
    int deleted = 0;
    Bytes from = resumeAt;
    while (true) {
      // Deletes go in batches after closing the iterator: that keeps the store's iterators simple,
      // and the clock is read after each batch, since deleting (a changelog tombstone each) costs
      // more than examining.
      List<Bytes> doomed = new ArrayList<>();
      Bytes next = null;
      try (KeyValueIterator<Bytes, V> entries =
          from == null ? store.all() : store.range(from, null)) {
        while (entries.hasNext()) {
          KeyValue<Bytes, V> entry = entries.next();
          if (doomed.size() == DELETE_BATCH
              || (examined % 256 == 0 && outOfTime(examined, deadline))) {
            next = entry.key;
            break;
          }
          examined++;
          if (expired.test(entry.value)) {
            doomed.add(entry.key);
          }
        }
      }
      for (Bytes key : doomed) {
        store.delete(key);
      }
      deleted += doomed.size();
      if (next == null || outOfTime(examined, deadline)) {
        resumeAt = next;
        return deleted;
      }
      from = next;
    }
  }

  private boolean outOfTime(int examined, long deadline) {
    return examined >= MIN_ENTRIES && ticker.getAsLong() - deadline > 0;
  }

  /** True when the last call reached the end of the store, so the next one starts from the beginning. */
  boolean completedRound() {
    return resumeAt == null;
  }
}
