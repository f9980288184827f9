package io.upcall.streams;

import java.time.Duration;
import java.util.function.LongPredicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The tracked (gfid, client uid) pairs in a task's stores, written, bounded and swept as the processor does it: how
 * the bench module measures what a pair costs on the stores of a {@code TopologyTestDriver} running the production
 * topology, while the processor's own classes stay package-private. The app never uses it.
 */
public final class TrackedPairs {
  /** The name of the store that holds the tracked pairs' history, the only one of them with a changelog. */
  public static final String JOURNAL_STORE = TrackingJournal.STORE;

  private final KeyValueStore<Bytes, Long> pairs;
  private final TrackedClients tracked;
  private final ExpirySweep<Long> sweep;

  private TrackedPairs(
      KeyValueStore<Bytes, Long> pairs,
      KeyValueStore<Bytes, byte[]> accessOrder,
      KeyValueStore<Long, byte[]> journal,
      long maxPairs) {
    this.pairs = pairs;
    this.tracked =
        new TrackedClients(
            pairs,
            new StoredAccessOrder(accessOrder),
            new TrackingJournal(journal),
            maxPairs,
            Long.MIN_VALUE);
    this.sweep = new ExpirySweep<>(pairs, UpcallProcessor.SWEEP_BUDGET, System::nanoTime);
  }

  /**
   * The pairs in {@code pairs} ({@link UpcallProcessor#TRACKED_CLIENTS_STORE}) with their access order in
   * {@code accessOrder} ({@link UpcallProcessor#ACCESS_ORDER_STORE}) and their history in {@code journal} ({@link
   * #JOURNAL_STORE}), at most {@code maxPairs} of them; the pairs store is rebuilt from the journal first.
   */
  public static TrackedPairs of(
      KeyValueStore<Bytes, Long> pairs,
      KeyValueStore<Bytes, byte[]> accessOrder,
      KeyValueStore<Long, byte[]> journal,
      long maxPairs) {
    return new TrackedPairs(pairs, accessOrder, journal, maxPairs);
  }

  /** The time one expiry punctuation may spend on a store before it yields the stream thread. */
  public static Duration sweepBudget() {
    return UpcallProcessor.SWEEP_BUDGET;
  }

  /**
   * A read of {@code gfid} by {@code client} at {@code second}, as the processor records it: the pair and its
   * access-order entry, evicting the least recently accessed pairs past the bound.
   *
   * @return how many pairs were evicted to make room
   */
  public int touch(byte[] gfid, String client, long second) {
    int evicted = tracked.touch(gfid, client, second).size();
    tracked.persist();
    return evicted;
  }

  /**
   * The pair's entry alone, without an access-order entry, a journal entry or the bound: what the pairs store holds
   * per pair.
   */
  public void put(byte[] gfid, String client, long second) {
    pairs.put(InodeKeys.of(gfid, client), second);
  }

  /** Pairs tracked with their access order (those {@link #touch} recorded). */
  public long size() {
    return tracked.size();
  }

  /**
   * One expiry punctuation over the pairs store: examines the next slice of pairs within {@link #sweepBudget()},
   * deletes those whose last access second {@code expired} accepts, and returns how many it deleted.
   */
  public int sweep(LongPredicate expired) {
    return sweep.sweep(expired::test);
  }

  /** True when the last {@link #sweep} reached the end of the store, so every pair has been examined once. */
  public boolean sweptWholeStore() {
    return sweep.completedRound();
  }
}
