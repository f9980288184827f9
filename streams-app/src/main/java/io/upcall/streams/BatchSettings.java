package io.upcall.streams;

import java.time.Duration;

/**
 * How long and how large a batch of invalidations for one partition may grow before it is written (Hazelcast's
 * batched near-cache invalidations: batch size and batch frequency). A batch is also written before any commit
 * could lose it: it lives in a changelogged store between records (see {@link InvalidationOutbox}).
 *
 * @param maxDelay how long the first invalidation of a batch may wait; zero writes every batch at the end of the
 *     record that filled it (one record per partition a change reaches, no packing across records)
 * @param maxBytes the encoded size at which a batch is written at once
 */
record BatchSettings(Duration maxDelay, int maxBytes) {
  static final String MAX_DELAY_MS_CONFIG = "upcall.invalidations.batch.max-delay.ms";
  static final String MAX_DELAY_MS_DOC =
      "Longest wall-clock time (ms, >= 0) an invalidation waits in a batch for "
          + "other invalidations to the same partition of upcall.invalidations (invalidation-format batched). 0 writes "
          + "each record's batches at once. Under exactly-once a batch is visible to clients at the next commit anyway.";
  static final long MAX_DELAY_MS_DEFAULT = 5;
  static final String MAX_BYTES_CONFIG = "upcall.invalidations.batch.max-bytes";
  static final String MAX_BYTES_DOC =
      "Encoded size (bytes, 1024..900000) at which a batch is written without "
          + "waiting; keep it well under the topic's max.message.bytes.";
  static final int MAX_BYTES_DEFAULT = 64 * 1024;

  /** Batches written at the end of each record, as the simulator and the topology tests run them. */
  static final BatchSettings IMMEDIATE = new BatchSettings(Duration.ZERO, MAX_BYTES_DEFAULT);

  BatchSettings {
    if (maxDelay.isNegative()) {
      throw new IllegalArgumentException(
          MAX_DELAY_MS_CONFIG + " must be >= 0, was " + maxDelay.toMillis());
    }
    if (maxBytes < 1024) {
      throw new IllegalArgumentException(MAX_BYTES_CONFIG + " must be >= 1024, was " + maxBytes);
    }
  }

  boolean immediate() {
    return maxDelay.isZero();
  }
}
