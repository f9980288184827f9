package io.upcall.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes the expired entries of one store a slice at a time: each call examines at least {@link #MIN_ENTRIES}
 * entries, then goes on while its time budget lasts, and the next call resumes where it stopped (wrapping around
 * at the end). One punctuation thus never stalls the stream thread for long, however big the store.
 *
 * <p>For a store whose entries expire a horizon after a second each holds, {@link #sweepWhenDue} starts a round only
 * once some entry may have expired: the oldest second a round kept, or any entry written since ({@link #written}),
 * says when. Sweeping such a store without pause took ~5 % of a busy stream thread, and found nothing most times.
 */
final class ExpirySweep<V> {
  /** Entries examined whatever the clock says, so small stores are swept whole in one call. */
  static final int MIN_ENTRIES = 1_024;

  private static final int DELETE_BATCH = 256;

  private final KeyValueStore<Bytes, V> store;
  private final long budgetNanos;
  private final LongSupplier ticker;
  private Bytes resumeAt;

  /** The horizon {@link #dueSecond} was computed for; -1 before the first {@link #sweepWhenDue}. */
  private long horizon = -1;

  /** No entry can have expired before this second (Long.MIN_VALUE: one may have). */
  private long dueSecond = Long.MIN_VALUE;

  /** The oldest second kept or written since the current round started. */
  private long roundOldest = Long.MAX_VALUE;

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

  /**
   * One slice of a round, when one is under way or due, deleting the entries whose second ({@code secondOf}; Long.MIN_VALUE
   * for an entry that is expired whatever the time) is more than {@code horizonSeconds} before {@code nowSecond}.
   *
   * @return how many it deleted
   */
  int sweepWhenDue(long nowSecond, long horizonSeconds, ToLongFunction<V> secondOf) {
    if (horizonSeconds != horizon) {
      horizon = horizonSeconds; // a new timeout: what was due when changes
      dueSecond = Long.MIN_VALUE;
    }
    if (resumeAt == null) {
      if (nowSecond < dueSecond) {
        return 0;
      }
      roundOldest = Long.MAX_VALUE;
    }
    int deleted =
        sweep(
            value -> {
              long second = secondOf.applyAsLong(value);
              if (second == Long.MIN_VALUE || nowSecond - second > horizonSeconds) {
                return true;
              }
              roundOldest = Math.min(roundOldest, second);
              return false;
            });
    if (resumeAt == null) {
      dueSecond = roundOldest == Long.MAX_VALUE ? Long.MAX_VALUE : roundOldest + horizonSeconds + 1;
    }
    return deleted;
  }

  /** Notes that an entry about {@code second} was written (Long.MIN_VALUE: one expired whatever the time). */
  void written(long second) {
    if (second == Long.MIN_VALUE) {
      dueSecond = Long.MIN_VALUE;
      return;
    }
    roundOldest = Math.min(roundOldest, second);
    if (horizon >= 0 && dueSecond != Long.MIN_VALUE) {
      dueSecond = Math.min(dueSecond, second + horizon + 1);
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
