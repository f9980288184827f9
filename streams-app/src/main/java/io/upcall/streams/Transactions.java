package io.upcall.streams;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The transaction ids processed on every inode of a task, keyed (gfid, txId) → event time ms, so replica
 * bricks' copies of one fop change nothing after the first. One small entry per id rather than a map per
 * inode: a hot inode written thousands of times per second within T would otherwise rewrite a huge value.
 */
final class Transactions {
  private final KeyValueStore<Bytes, Long> store;

  Transactions(KeyValueStore<Bytes, Long> store) {
    this.store = store;
  }

  /** True when {@code txId} was processed on {@code gfid} within T of {@code eventTimeMs}; else records it. */
  boolean seenBefore(byte[] gfid, String txId, long eventTimeMs, int timeoutSeconds) {
    Bytes key = InodeKeys.of(gfid, txId);
    Long first = store.get(key);
    if (first != null
        && Math.abs(Freshness.second(eventTimeMs) - Freshness.second(first)) < timeoutSeconds) {
      return true;
    }
    store.put(key, eventTimeMs);
    return false;
  }
}
