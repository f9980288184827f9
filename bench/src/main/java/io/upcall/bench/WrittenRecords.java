package io.upcall.bench;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.UpcallEvent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * The records one pipeline app wrote during a window, counted one by one by an {@link OutputReader}: every record of
 * every topic it writes (its invalidation topic, its dead letters, its repartition and changelog topics), read by a
 * read_uncommitted byte-array consumer, so that transaction markers are left out and records of aborted
 * transactions are counted (they were written). A record of the invalidation topic is a progress mark or an upcall
 * event by its Avro single-object fingerprint, and an invalidation record otherwise, whatever its format (one
 * invalidation, or a batch of them).
 *
 * @param records records written by kind: {@link #INVALIDATION}, {@link #PROGRESS_MARK}, {@link #UPCALL_EVENT},
 *     {@link #REPARTITION} (inode events), {@link #REPARTITION_HEARTBEAT} (upstream progress riding the repartition),
 *     {@link #DEAD_LETTER}, {@link #CHANGELOG}{@code .<store>} and {@link #OTHER}
 * @param bytes the key, value and header bytes of those records as serialized (before compression, without the
 *     batches' overhead), by the same kinds
 */
record WrittenRecords(Map<String, Long> records, Map<String, Long> bytes) {
  static final String INVALIDATION = "invalidation";
  static final String PROGRESS_MARK = "progress_mark";
  static final String UPCALL_EVENT = "upcall_event";
  static final String REPARTITION = "repartition";
  static final String REPARTITION_HEARTBEAT = "repartition_heartbeat";
  static final String DEAD_LETTER = "dead_letter";
  static final String CHANGELOG = "changelog";
  static final String OTHER = "other";

  private static final long PROGRESS_MARK_FINGERPRINT =
      SchemaNormalization.parsingFingerprint64(ProgressMark.getClassSchema());
  private static final long UPCALL_EVENT_FINGERPRINT =
      SchemaNormalization.parsingFingerprint64(UpcallEvent.getClassSchema());
  private static final long HEARTBEAT_FINGERPRINT =
      SchemaNormalization.parsingFingerprint64(BrickHeartbeat.getClassSchema());

  WrittenRecords {
    records = Map.copyOf(records);
    bytes = Map.copyOf(bytes);
  }

  /**
   * Where the output of {@code app} ends now: the end offset of every partition of every topic it writes.
   *
   * <p>Taken when the app has committed its input (drained), every record its input caused is before it.
   */
  static Map<TopicPartition, Long> position(BenchKafka kafka, PipelineApp app) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (String topic : writtenTopics(kafka, app)) {
      for (TopicPartition partition : kafka.partitions(topic)) {
        latest.put(partition, OffsetSpec.latest());
      }
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    BenchKafka.get(kafka.admin().listOffsets(latest).all())
        .forEach((partition, info) -> ends.put(partition, info.offset()));
    return ends;
  }

  /** Every record written. */
  long total() {
    return records.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every byte written (key, value, headers). */
  long totalBytes() {
    return bytes.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Records written on a wall-clock schedule rather than per fop: progress marks, and the heartbeats that carry
   * upstream progress through the repartition. Their number grows with the time a window takes, not its fops.
   */
  long timed() {
    return of(PROGRESS_MARK) + of(REPARTITION_HEARTBEAT);
  }

  /** Bytes of the records {@link #timed()} counts. */
  long timedBytes() {
    return bytes.getOrDefault(PROGRESS_MARK, 0L) + bytes.getOrDefault(REPARTITION_HEARTBEAT, 0L);
  }

  /** Records of {@code kind}; for {@link #CHANGELOG}, of every store's changelog. */
  long of(String kind) {
    long sum = 0;
    for (Map.Entry<String, Long> entry : records.entrySet()) {
      if (entry.getKey().equals(kind) || entry.getKey().startsWith(kind + ".")) {
        sum += entry.getValue();
      }
    }
    return sum;
  }

  /** Changelog records by store, the store named without Upcall's prefix: {@code tracked_clients}, … */
  Map<String, Long> changelogByStore() {
    Map<String, Long> byStore = new LinkedHashMap<>();
    records.forEach(
        (kind, count) -> {
          if (kind.startsWith(CHANGELOG + ".")) {
            byStore.put(kind.substring(CHANGELOG.length() + 1), count);
          }
        });
    return byStore;
  }

  /** The app's invalidation topic and dead letters, and its internal topics ({@code <application.id>-…}). */
  static Set<String> writtenTopics(BenchKafka kafka, PipelineApp app) {
    Set<String> topics =
        new TreeSet<>(List.of(app.topics().invalidations(), app.topics().fopsDlq()));
    for (String topic : BenchKafka.get(kafka.admin().listTopics().names())) {
      if (topic.startsWith(app.applicationId() + "-")) {
        topics.add(topic);
      }
    }
    return topics;
  }

  /** The kind of a record of {@code topic}, which {@code app} writes, by its topic and its value's fingerprint. */
  static String kindOf(
      PipelineApp app, String topic, byte[] value, Map<String, String> topicKinds) {
    String kind = topicKinds.computeIfAbsent(topic, name -> kindOf(app, name));
    if (kind.equals(INVALIDATION)) {
      return invalidationTopicKind(value);
    }
    return kind.equals(REPARTITION) && fingerprint(value) == HEARTBEAT_FINGERPRINT
        ? REPARTITION_HEARTBEAT
        : kind;
  }

  private static String kindOf(PipelineApp app, String topic) {
    if (topic.equals(app.topics().invalidations())) {
      return INVALIDATION;
    }
    if (topic.equals(app.topics().fopsDlq())) {
      return DEAD_LETTER;
    }
    if (topic.endsWith("-repartition")) {
      return REPARTITION;
    }
    String changelog = "-changelog";
    String internal = app.applicationId() + "-";
    if (topic.endsWith(changelog) && topic.startsWith(internal)) {
      String store = topic.substring(internal.length(), topic.length() - changelog.length());
      return CHANGELOG
          + "."
          + store.replaceFirst("^upcall-", "").replace('-', '_').toLowerCase(Locale.ROOT);
    }
    return OTHER;
  }

  /** A progress mark, an upcall event, or else an invalidation record (one invalidation or a batch of them). */
  static String invalidationTopicKind(byte[] value) {
    long fingerprint = fingerprint(value);
    if (fingerprint == PROGRESS_MARK_FINGERPRINT) {
      return PROGRESS_MARK;
    }
    return fingerprint == UPCALL_EVENT_FINGERPRINT ? UPCALL_EVENT : INVALIDATION;
  }

  /** The writer schema's fingerprint in an Avro single-object header, or 0 when {@code value} has none. */
  private static long fingerprint(byte[] value) {
    if (value == null || value.length < 10 || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
      return 0;
    }
    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint =
          (fingerprint << 8)
              | (value[i] & 0xFF); // little-endian, as the single-object header has it
    }
    return fingerprint;
  }

  static int serializedBytes(ConsumerRecord<byte[], byte[]> record) {
    int size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
    for (Header header : record.headers()) {
      size += header.key().length() + (header.value() == null ? 0 : header.value().length);
    }
    return size;
  }
}
