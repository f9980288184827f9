package io.upcall.streams;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The transaction ids processed on every inode of a task, keyed (gfid, txId) → the second of the copy processed
 * and which brick published it, so replica bricks' copies of one fop change nothing after the first. One small
 * entry per id rather than a map per inode: a hot inode written thousands of times per second within T would
 * otherwise rewrite a huge value.
 *
 * <p>The brick matters under at-least-once: after a crash the restored state may already hold a copy whose
 * invalidations were never written, and the task processes that copy again. The same brick's copy again is that
 * replay, not a replica, and is decided again (at worst a duplicate invalidation).
 */
final class Transactions {
  private static final int BRICK_BITS = 30;
  private static final long BRICK_MASK = (1L << BRICK_BITS) - 1;

  private final KeyValueStore<Bytes, Long> store;
  private final ExpirySweep<Long> sweep;

  Transactions(KeyValueStore<Bytes, Long> store, ExpirySweep<Long> sweep) {
    this.store = store;
    this.sweep = sweep;
  }

  /** Deletes (a slice of) the ids processed more than {@code horizonSeconds} before {@code nowSecond}. */
  void expire(long nowSecond, long horizonSeconds) {
    sweep.sweepWhenDue(nowSecond, horizonSeconds, Transactions::secondOf);
  }

  /**
   * True when another brick's copy of {@code txId} was processed on {@code gfid} within T of {@code eventTimeMs};
   * else records this copy.
   */
  boolean seenBefore(byte[] gfid, String txId, String brick, long eventTimeMs, int timeoutSeconds) {
    Bytes key = InodeKeys.of(gfid, txId);
    Long stored = store.get(key);
    long second = TrackingFreshness.second(eventTimeMs);
    if (stored != null && Math.abs(second - secondOf(stored)) < timeoutSeconds) {
      return !(stored < 0 && brickOf(stored) == brickHash(brick));
    }
    store.put(key, encode(second, brick));
    sweep.written(second);
    return false;
  }

  /**
   * The event second a stored entry is about. Entries are negative, {@code -((second << 30 | brick hash) + 1)};
   * a positive one is an event time in ms written before the brick was kept (its brick matches none).
   */
  static long secondOf(long stored) {
    return stored >= 0 ? TrackingFreshness.second(stored) : (-(stored + 1)) >>> BRICK_BITS;
  }

  private static long brickOf(long stored) {
    return (-(stored + 1)) & BRICK_MASK;
  }

  private static long brickHash(String brick) {
    return brick == null ? 0 : brick.hashCode() & BRICK_MASK;
  }

  private static long encode(long second, String brick) {
    return -(((second << BRICK_BITS) | brickHash(brick)) + 1);
  }
}
