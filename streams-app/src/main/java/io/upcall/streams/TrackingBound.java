package io.upcall.streams;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

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
  static final String MAX_TRACKED_PAIRS_DOC = "Most (gfid, client) pairs tracked by the whole application (>= 1), "
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

  /** The bound in {@code configs} (the default where absent), shared by {@code tasks} tasks. */
  static TrackingBound fromConfig(Map<?, ?> configs, int tasks) {
    Object value = configs.get(MAX_TRACKED_PAIRS_CONFIG);
    long max;
    try {
      max = value == null ? MAX_TRACKED_PAIRS_DEFAULT
          : value instanceof Number number ? number.longValue() : Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(MAX_TRACKED_PAIRS_CONFIG, value, "not a whole number");
    }
    if (max < 1) {
      throw new ConfigException(MAX_TRACKED_PAIRS_CONFIG, value, "must be at least 1");
    }
    return new TrackingBound(Math.max(1, (max + tasks - 1) / tasks));
  }
}
