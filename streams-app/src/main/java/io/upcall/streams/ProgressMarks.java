package io.upcall.streams;

import java.time.Duration;
import org.apache.kafka.common.config.ConfigException;

/**
 * How the tasks prove their progress to clients: every {@code interval} each task writes a ProgressMark into every
 * invalidation partition, claiming the event time up to which every brick's fops have been processed.
 *
 * @param interval how often each task writes its marks (wall clock)
 * @param brickTimeout a brick whose heartbeats stop for this long (event time) no longer holds progress back
 * @param fopsPartitions partitions of {@code upcall.fops}: the upstream partitions every task must hear from, and
 *     (as Streams sizes the repartition topic like its source) the number of tasks writing marks
 */
record ProgressMarks(Duration interval, Duration brickTimeout, int fopsPartitions) {
  static final String INTERVAL_MS_CONFIG = "upcall.progress.interval.ms";
  static final String INTERVAL_MS_DOC =
      "How often each streams task writes a progress mark into every partition of "
          + "upcall.invalidations, in ms (>= 10). Clients judge their staleness bound from these marks: each costs "
          + "tasks x 1000/interval records per second per invalidation partition.";
  static final long INTERVAL_MS_DEFAULT = 200;

  static final String BRICK_TIMEOUT_MS_CONFIG = "upcall.progress.brick.timeout.ms";
  static final String BRICK_TIMEOUT_MS_DOC =
      "A brick whose heartbeats stop for this long (event time, ms, >= 1000) "
          + "is taken as removed and no longer holds the marks back; until then clients of a stalled brick serve "
          + "nothing from their caches, which is the safe side.";
  static final long BRICK_TIMEOUT_MS_DEFAULT = 60_000;

  /**
   * After a task (re)starts it claims nothing until heartbeats span this much event time, so every live brick has
   * been heard from (four intervals of the brick publisher's default 500 ms heartbeat).
   */
  static final Duration LEARNING_SPAN = Duration.ofSeconds(2);

  ProgressMarks {
    if (interval.toMillis() < 10) {
      throw new ConfigException(INTERVAL_MS_CONFIG, interval.toMillis(), "must be at least 10 ms");
    }
    if (brickTimeout.toMillis() < 1_000) {
      throw new ConfigException(
          BRICK_TIMEOUT_MS_CONFIG, brickTimeout.toMillis(), "must be at least 1000 ms");
    }
    if (fopsPartitions < 1) {
      throw new IllegalArgumentException(
          "fopsPartitions must be at least 1, was " + fopsPartitions);
    }
  }
}
