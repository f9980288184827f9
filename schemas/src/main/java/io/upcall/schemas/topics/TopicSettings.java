package io.upcall.schemas.topics;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Partition counts, replication and retention of the Upcall topics, validated on construction.
 *
 * @param fopsPartitions partitions of the fop topic (and its DLQ): the streams app's unit of parallelism
 * @param invalidationsPartitions partitions of the invalidation topic: each client reads one of them
 * @param replicationFactor replicas of every topic it creates, or {@link #CLUSTER_DEFAULT_REPLICATION} (-1) for the
 *     brokers' {@code default.replication.factor}; use 3 in production (with the brokers' {@code min.insync.replicas=2})
 * @param fopsRetentionMs how long fop records are kept
 * @param dlqRetentionMs how long dead-lettered fop records are kept, for operators to look at
 * @param invalidationsRetentionMs how long invalidations are kept, for clients catching up
 */
public record TopicSettings(
    int fopsPartitions,
    int invalidationsPartitions,
    short replicationFactor,
    long fopsRetentionMs,
    long dlqRetentionMs,
    long invalidationsRetentionMs) {

  /** Partitions of both the fop and the invalidation topic, unless set for one of them. */
  public static final String PARTITIONS_CONFIG = "upcall.topics.partitions";

  public static final String PARTITIONS_DOC =
      "Partitions of upcall.fops and upcall.invalidations (>= 1). More "
          + "partitions let more streams instances share the work and split invalidation traffic among clients. "
          + "Changing it for existing topics is refused: it would move keys to other partitions.";
  public static final int PARTITIONS_DEFAULT = 12;

  public static final String FOPS_PARTITIONS_CONFIG = "upcall.topics.fops.partitions";
  public static final String FOPS_PARTITIONS_DOC =
      "Partitions of upcall.fops and its DLQ; overrides " + PARTITIONS_CONFIG + ".";

  public static final String INVALIDATIONS_PARTITIONS_CONFIG =
      "upcall.topics.invalidations.partitions";
  public static final String INVALIDATIONS_PARTITIONS_DOC =
      "Partitions of upcall.invalidations; overrides " + PARTITIONS_CONFIG + ".";

  public static final String REPLICATION_FACTOR_CONFIG = "upcall.topics.replication.factor";
  public static final String REPLICATION_FACTOR_DOC =
      "Replicas of every Upcall topic created (>= 1), or -1 (the "
          + "default) for the brokers' default.replication.factor. Use 3 in production, with the brokers' "
          + "min.insync.replicas=2.";

  /** Create topics with the brokers' {@code default.replication.factor}, as Kafka's own tools do unless told. */
  public static final short CLUSTER_DEFAULT_REPLICATION = -1;

  public static final short REPLICATION_FACTOR_DEFAULT = CLUSTER_DEFAULT_REPLICATION;

  public static final String FOPS_RETENTION_MS_CONFIG = "upcall.topics.fops.retention.ms";
  public static final String FOPS_RETENTION_MS_DOC =
      "Retention of upcall.fops in ms (> 0, or -1 to keep forever).";
  public static final long FOPS_RETENTION_MS_DEFAULT = Duration.ofHours(24).toMillis();

  public static final String DLQ_RETENTION_MS_CONFIG = "upcall.topics.dlq.retention.ms";
  public static final String DLQ_RETENTION_MS_DOC =
      "Retention of upcall.fops.dlq in ms (> 0, or -1 to keep forever).";
  public static final long DLQ_RETENTION_MS_DEFAULT = Duration.ofDays(7).toMillis();

  public static final String INVALIDATIONS_RETENTION_MS_CONFIG =
      "upcall.topics.invalidations.retention.ms";
  public static final String INVALIDATIONS_RETENTION_MS_DOC =
      "Retention of upcall.invalidations in ms (> 0, or -1 to "
          + "keep forever). Clients further behind than this must drop their caches anyway.";
  public static final long INVALIDATIONS_RETENTION_MS_DEFAULT = Duration.ofHours(6).toMillis();

  /** The compacted topics are small and read whole by every instance (global tables): one partition is enough. */
  static final int COMPACTED_PARTITIONS = 1;

  public TopicSettings {
    atLeastOne(FOPS_PARTITIONS_CONFIG, fopsPartitions);
    atLeastOne(INVALIDATIONS_PARTITIONS_CONFIG, invalidationsPartitions);
    if (replicationFactor != CLUSTER_DEFAULT_REPLICATION) {
      atLeastOne(REPLICATION_FACTOR_CONFIG, replicationFactor);
    }
    retention(FOPS_RETENTION_MS_CONFIG, fopsRetentionMs);
    retention(DLQ_RETENTION_MS_CONFIG, dlqRetentionMs);
    retention(INVALIDATIONS_RETENTION_MS_CONFIG, invalidationsRetentionMs);
  }

  /** 12 partitions, the cluster's default replication factor, fops kept 24 hours, the DLQ 7 days, invalidations 6 hours. */
  public static TopicSettings defaults() {
    return new TopicSettings(
        PARTITIONS_DEFAULT,
        PARTITIONS_DEFAULT,
        REPLICATION_FACTOR_DEFAULT,
        FOPS_RETENTION_MS_DEFAULT,
        DLQ_RETENTION_MS_DEFAULT,
        INVALIDATIONS_RETENTION_MS_DEFAULT);
  }

  /**
   * The settings in {@code configs} (Properties work too), defaults for the keys it lacks.
   *
   * @throws IllegalArgumentException naming the key when a value is not a number or out of range
   */
  public static TopicSettings fromConfig(Map<?, ?> configs) {
    long partitions = number(configs, PARTITIONS_CONFIG, PARTITIONS_DEFAULT);
    atLeastOne(PARTITIONS_CONFIG, partitions);
    return new TopicSettings(
        intValue(FOPS_PARTITIONS_CONFIG, number(configs, FOPS_PARTITIONS_CONFIG, partitions)),
        intValue(
            INVALIDATIONS_PARTITIONS_CONFIG,
            number(configs, INVALIDATIONS_PARTITIONS_CONFIG, partitions)),
        shortValue(
            REPLICATION_FACTOR_CONFIG,
            number(configs, REPLICATION_FACTOR_CONFIG, REPLICATION_FACTOR_DEFAULT)),
        number(configs, FOPS_RETENTION_MS_CONFIG, FOPS_RETENTION_MS_DEFAULT),
        number(configs, DLQ_RETENTION_MS_CONFIG, DLQ_RETENTION_MS_DEFAULT),
        number(configs, INVALIDATIONS_RETENTION_MS_CONFIG, INVALIDATIONS_RETENTION_MS_DEFAULT));
  }

  /** These settings with {@code partitions} for both the fop and the invalidation topic. */
  public TopicSettings withPartitions(int partitions) {
    return new TopicSettings(
        partitions,
        partitions,
        replicationFactor,
        fopsRetentionMs,
        dlqRetentionMs,
        invalidationsRetentionMs);
  }

  /** These settings with {@code replicationFactor} replicas of every topic (-1: the brokers' default). */
  public TopicSettings withReplicationFactor(int replicationFactor) {
    return new TopicSettings(
        fopsPartitions,
        invalidationsPartitions,
        shortValue(REPLICATION_FACTOR_CONFIG, replicationFactor),
        fopsRetentionMs,
        dlqRetentionMs,
        invalidationsRetentionMs);
  }

  /** What each topic should look like, in the order of {@link UpcallTopics#all()}. */
  List<TopicSpec> specs(UpcallTopics topics) {
    return List.of(
        new TopicSpec(
            topics.fops(), fopsPartitions, replicationFactor, deleteAfter(fopsRetentionMs)),
        new TopicSpec(
            topics.fopsDlq(), fopsPartitions, replicationFactor, deleteAfter(dlqRetentionMs)),
        new TopicSpec(
            topics.invalidations(),
            invalidationsPartitions,
            replicationFactor,
            deleteAfter(invalidationsRetentionMs)),
        new TopicSpec(topics.xattrInterest(), COMPACTED_PARTITIONS, replicationFactor, compacted()),
        new TopicSpec(topics.config(), COMPACTED_PARTITIONS, replicationFactor, compacted()),
        // Replies are keyed by brick and read by the brick's own partition; as many as the fop
        // topic's suffice.
        new TopicSpec(
            topics.replies(),
            fopsPartitions,
            replicationFactor,
            deleteAfter(invalidationsRetentionMs)));
  }

  private static Map<String, String> deleteAfter(long retentionMs) {
    return Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retentionMs));
  }

  private static Map<String, String> compacted() {
    return Map.of("cleanup.policy", "compact");
  }

  private static void atLeastOne(String key, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, was " + value);
    }
  }

  private static void retention(String key, long value) {
    if (value < 1 && value != -1) {
      throw new IllegalArgumentException(
          key + " must be > 0 ms, or -1 to keep forever, was " + value);
    }
  }

  private static long number(Map<?, ?> configs, String key, long defaultValue) {
    Object value = configs.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Number number) {
      return number.longValue();
    }
    String text = value.toString().trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, was '" + text + "'");
    }
  }

  private static int intValue(String key, long value) {
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " is too large: " + value);
    }
    return (int) Math.max(value, Integer.MIN_VALUE);
  }

  private static short shortValue(String key, long value) {
    if (value > Short.MAX_VALUE) {
      throw new IllegalArgumentException(key + " is too large: " + value);
    }
    if (value == CLUSTER_DEFAULT_REPLICATION) {
      return CLUSTER_DEFAULT_REPLICATION;
    }
    atLeastOne(key, value);
    return (short) value;
  }
}
