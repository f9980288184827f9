package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.FopRecord;
import io.upcall.avro.UpcallRequest;
import io.upcall.schemas.FopContract;
import io.upcall.schemas.UpcallRequestContract;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Deserializes each {@code upcall.fops} record and checks it against the fop contract. A fop that honours it goes
 * on with its event time as the record timestamp; anything else goes on as {@link CheckedFop.Rejected}, with
 * headers saying why and where it came from, for the dead-letter topic. Brick heartbeats are progress, not fops:
 * they are counted and go on to the progress marks.
 */
final class FopValidator implements FixedKeyProcessor<byte[], byte[], CheckedFop> {
  /** Why the record was rejected. */
  static final String REASON_HEADER = "upcall.dlq.reason";

  static final String TOPIC_HEADER = "upcall.dlq.topic";
  static final String PARTITION_HEADER = "upcall.dlq.partition";
  static final String OFFSET_HEADER = "upcall.dlq.offset";

  /** The original record's timestamp, epoch ms. */
  static final String TIMESTAMP_HEADER = "upcall.dlq.timestamp";

  /** Metric scope: {@code stream-upcall-metrics}, tag {@code upcall-id} = the task. */
  static final String METRICS_SCOPE = "upcall";

  static final String DLQ_RECORDS = "dlq-records";
  static final String HEARTBEATS = "brick-heartbeats";

  private final Deserializer<?> fops;
  private FixedKeyProcessorContext<byte[], CheckedFop> context;
  private Sensor deadLetters;
  private Sensor heartbeats;

  FopValidator(Deserializer<?> fops) {
    this.fops = fops;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], CheckedFop> context) {
    this.context = context;
    String task = context.taskId().toString();
    deadLetters =
        context
            .metrics()
            .addRateTotalSensor(METRICS_SCOPE, task, DLQ_RECORDS, Sensor.RecordingLevel.INFO);
    heartbeats =
        context
            .metrics()
            .addRateTotalSensor(METRICS_SCOPE, task, HEARTBEATS, Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(FixedKeyRecord<byte[], byte[]> record) {
    Optional<RecordMetadata> source = context.recordMetadata();
    Object value;
    try {
      value =
          record.value() == null
              ? null
              : fops.deserialize(topic(source), record.headers(), record.value());
    } catch (RuntimeException e) {
      reject(record, source, "not a FopRecord or BrickHeartbeat: " + e.getMessage());
      return;
    }
    if (value instanceof BrickHeartbeat) {
      heartbeats.record();
      BrickHeartbeat heartbeat = (BrickHeartbeat) value;
      context.forward(
          record
              .withValue((CheckedFop) new CheckedFop.Heartbeat(heartbeat))
              .withTimestamp(heartbeat.getEventTimeMs()));
    } else if (value instanceof FopRecord) {
      FopRecord fop = (FopRecord) value;
      Optional<String> violation = FopContract.violation(fop);
      if (violation.isPresent()) {
        reject(record, source, violation.get());
      } else {
        String cause = fop.getFopId() != null ? fop.getFopId() : position(source);
        context.forward(
            record
                .withValue((CheckedFop) new CheckedFop.Accepted(fop, cause))
                .withTimestamp(fop.getEventTimeMs()));
      }
    } else if (value instanceof UpcallRequest) {
      UpcallRequest request = (UpcallRequest) value;
      Optional<String> violation = UpcallRequestContract.violation(request);
      if (violation.isPresent()) {
        reject(record, source, violation.get());
      } else {
        context.forward(
            record
                .withValue((CheckedFop) new CheckedFop.Request(request))
                .withTimestamp(request.getEventTimeMs()));
      }
    } else {
      reject(
          record,
          source,
          value == null
              ? "no value (a tombstone has no place in upcall.fops)"
              : "not a FopRecord or BrickHeartbeat: " + value.getClass().getSimpleName());
    }
  }

  private void reject(
      FixedKeyRecord<byte[], byte[]> record, Optional<RecordMetadata> source, String reason) {
    deadLetters.record();
    Headers headers = record.headers();
    header(headers, REASON_HEADER, reason);
    source.ifPresent(
        where -> {
          header(headers, TOPIC_HEADER, where.topic());
          header(headers, PARTITION_HEADER, Integer.toString(where.partition()));
          header(headers, OFFSET_HEADER, Long.toString(where.offset()));
        });
    header(headers, TIMESTAMP_HEADER, Long.toString(record.timestamp()));
    context.forward(record.withValue((CheckedFop) new CheckedFop.Rejected(record.value(), reason)));
  }

  private static void header(Headers headers, String name, String value) {
    headers.remove(name).add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String topic(Optional<RecordMetadata> source) {
    return source.map(RecordMetadata::topic).orElse("");
  }

  /** The record's place, e.g. {@code upcall.fops-3@1207}, naming the cause of a fop that has no fopId. */
  private static String position(Optional<RecordMetadata> source) {
    return source
        .map(where -> where.topic() + "-" + where.partition() + "@" + where.offset())
        .orElse("");
  }

  @Override
  public void close() {
    context.metrics().removeSensor(deadLetters);
    context.metrics().removeSensor(heartbeats);
  }
}
