package io.upcall.streams;

/**
 * The bound on tracked (gfid, client uid) pairs, like Redis's {@code tracking-table-max-keys}: past it the least
 * recently accessed pairs are evicted and their clients told FORGET, so an eviction never leaves a cache stale.
 * The bound is for the whole application; each task (one per partition of {@code upcall.fops}) owns the inodes of
 * its partition and keeps at most its share, {@code ceil(max / partitions)}, so the instances together never hold
 * more than the bound plus one pair per task, however the tasks are spread.
 *
 * @param perTask the most pairs one task keeps
 */
record TrackingBound(long perTask) {
  static final String MAX_TRACKED_PAIRS_CONFIG = "max-tracked-pairs";
  static final String MAX_TRACKED_PAIRS_DOC =
      "Most (gfid, client) pairs tracked by the whole application (>= 1), "
          + "shared equally by the tasks (one per upcall.fops partition). Past it the least recently accessed pairs "
          + "are evicted and their clients, when still fresh, get FORGET for that inode. A pair costs about 100 bytes "
          + "of RocksDB on local disk (the pair and its access-order entry) and the same again in the changelog "
          + "topics, no heap; the default bounds that to about 1 GB of local disk for the application.";

  /** 10 M pairs: ~100 B of RocksDB each (51 B measured per pair, about as much for its access-order entry). */
  static final long MAX_TRACKED_PAIRS_DEFAULT = 10_000_000L;

  TrackingBound {
    if (perTask < 1) {
      throw new IllegalArgumentException("perTask must be at least 1, was " + perTask);
    }
  }

  /** The bound of {@code max} pairs for the application, shared by {@code tasks} tasks. */
  static TrackingBound sharedBy(long max, int tasks) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    return new TrackingBound(Math.max(1, (max + tasks - 1) / tasks));
  }
}
