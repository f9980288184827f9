package io.upcall.streams;

import io.upcall.avro.LeaseRecall;
import io.upcall.avro.LockContention;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.UpcallEventType;
import io.upcall.avro.UpcallRequest;
import io.upcall.schemas.UpcallEventHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns each brick's directed {@link UpcallRequest} into an {@link UpcallEvent} keyed by the client it names, so it
 * lands in that client's invalidation partition. It runs in the task of the request's gfid partition, where the
 * inode's fops are read, so an inode's upcalls keep their order. Lock-contention notices to one holder on one
 * inode are spaced by {@code notify-contention-delay} in event time, as GlusterFS's locks translator does; a lease
 * recall is never held back, since the brick waits for its answer.
 */
final class UpcallRequestRouter implements Processor<byte[], UpcallRequest, String, UpcallEvent> {
  /** (gfid ‖ request type ‖ holder uid) → event time ms of the last contention notice sent. */
  static final String CONTENTION_NOTICES_STORE = "upcall-contention-notices";

  /** Sensor of the upcall events emitted, in {@code stream-upcall-metrics}. */
  static final String UPCALL_EVENTS_SENSOR = "upcall-events";

  /** Sensor of the contention notices held back by notify-contention-delay. */
  static final String CONTENTION_HELD_BACK_SENSOR = "contention-notices-held-back";

  /** GlusterFS's recall-lease-timeout default, for a recall that names none. */
  static final int DEFAULT_RECALL_TIMEOUT_SECONDS = 60;

  private final Switches defaults;
  private final Duration expiryInterval;
  private ProcessorContext<String, UpcallEvent> context;
  private KeyValueStore<Bytes, Long> notices;
  private KeyValueStore<String, String> switches;
  private ExpirySweep<Long> sweep;
  private Sensor emitted;
  private Sensor heldBack;

  UpcallRequestRouter(Switches defaults, Duration expiryInterval) {
    this.defaults = defaults;
    this.expiryInterval = expiryInterval;
  }

  @Override
  public void init(ProcessorContext<String, UpcallEvent> context) {
    this.context = context;
    notices = context.getStateStore(CONTENTION_NOTICES_STORE);
    switches = context.getStateStore(ConfigChangeProcessor.SWITCHES_STORE);
    sweep = new ExpirySweep<>(notices, UpcallProcessor.SWEEP_BUDGET, System::nanoTime);
    context.schedule(expiryInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
    String task = context.taskId().toString();
    emitted =
        context
            .metrics()
            .addRateTotalSensor(
                FopValidator.METRICS_SCOPE, task, UPCALL_EVENTS_SENSOR, Sensor.RecordingLevel.INFO);
    heldBack =
        context
            .metrics()
            .addRateTotalSensor(
                FopValidator.METRICS_SCOPE,
                task,
                CONTENTION_HELD_BACK_SENSOR,
                Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<byte[], UpcallRequest> record) {
    UpcallRequest request = record.value();
    switch (request.getType()) {
      case LEASE_RECALL -> emit(recall(request), record.timestamp());
      case INODELK_CONTENTION ->
          contention(request, UpcallEventType.INODELK_CONTENTION, record.timestamp());
      case ENTRYLK_CONTENTION ->
          contention(request, UpcallEventType.ENTRYLK_CONTENTION, record.timestamp());
      default -> {} // UNKNOWN never passes the validator
    }
  }

  private void contention(UpcallRequest request, UpcallEventType type, long timestamp) {
    long delayMs =
        ConfigChangeProcessor.current(switches, defaults).notifyContentionDelaySeconds() * 1000L;
    Bytes key = noticeKey(request);
    Long last = notices.get(key);
    long now = request.getEventTimeMs();
    // A notice older than the last one sent (out of order) is as redundant as one too soon after
    // it.
    if (last != null && now - last < delayMs) {
      heldBack.record();
      return;
    }
    notices.put(key, now);
    emit(
        event(request, type)
            .setContention(
                new LockContention(
                    request.getLockOwner(), request.getDomain(), request.getBasename()))
            .build(),
        timestamp);
  }

  private static UpcallEvent recall(UpcallRequest request) {
    int timeout =
        request.getRecallTimeoutSeconds() != null
            ? request.getRecallTimeoutSeconds()
            : DEFAULT_RECALL_TIMEOUT_SECONDS;
    return event(request, UpcallEventType.LEASE_RECALL)
        .setDeadlineMs(request.getEventTimeMs() + timeout * 1000L)
        .setRecall(new LeaseRecall(request.getLeaseId(), timeout))
        .build();
  }

  private static UpcallEvent.Builder event(UpcallRequest request, UpcallEventType type) {
    return UpcallEvent.newBuilder()
        .setEventType(type)
        .setClient(request.getClient())
        .setVolume(request.getVolume())
        .setBrick(request.getBrick())
        .setGfid(request.getGfid())
        .setEventTimeMs(request.getEventTimeMs())
        .setRequestId(request.getRequestId());
  }

  private void emit(UpcallEvent event, long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        UpcallEventHeader.NAME, event.getEventType().name().getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<>(event.getClient(), event, timestamp, headers));
    emitted.record();
  }

  static Bytes noticeKey(UpcallRequest request) {
    byte[] client = request.getClient().getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(
        ByteBuffer.allocate(16 + 1 + client.length)
            .put(request.getGfid().bytes())
            .put((byte) request.getType().ordinal())
            .put(client)
            .array());
  }

  /** A notice older than the delay holds nothing back any more. */
  private void expire(long wallClockMs) {
    long delayMs =
        ConfigChangeProcessor.current(switches, defaults).notifyContentionDelaySeconds() * 1000L;
    sweep.sweep(lastMs -> wallClockMs - lastMs > delayMs);
  }

  @Override
  public void close() {
    context.metrics().removeSensor(emitted);
    context.metrics().removeSensor(heldBack);
  }
}
