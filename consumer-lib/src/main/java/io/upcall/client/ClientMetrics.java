package io.upcall.client;

/**
 * A snapshot of an {@link UpcallClient}'s counters.
 *
 * @param uid the client uid whose invalidations are read
 * @param partition the invalidation partition read; -1 while not positioned
 * @param lag records between the read position and the partition's last stable offset; -1 while unknown
 * @param invalidations invalidations for this client applied to the cache
 * @param othersSkipped invalidations for other clients sharing the partition, skipped (one per client and change,
 *     whether they came as records of their own or in batches)
 * @param marks progress marks read
 * @param listenerFailures exceptions thrown by the listener (logged and ignored)
 * @param positionLosses times the position was lost (offset out of range, partition count changed, topic gone)
 * @param cache the cache's own counters, including the fresh-as-of age
 * @param upcallEvents lease recalls and lock-contention notices for this client handed to its listeners
 * @param unknownEvents upcall events of a type (or version) this client does not know, skipped
 */
public record ClientMetrics(
    String uid,
    int partition,
    long lag,
    long invalidations,
    long othersSkipped,
    long marks,
    long listenerFailures,
    long positionLosses,
    CacheStats cache,
    long upcallEvents,
    long unknownEvents) {

  /** The counters of a client that reads no upcall events. */
  public ClientMetrics(
      String uid,
      int partition,
      long lag,
      long invalidations,
      long othersSkipped,
      long marks,
      long listenerFailures,
      long positionLosses,
      CacheStats cache) {
    this(
        uid,
        partition,
        lag,
        invalidations,
        othersSkipped,
        marks,
        listenerFailures,
        positionLosses,
        cache,
        0,
        0);
  }
}
