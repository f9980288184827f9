package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The progress of one {@code upcall.fops} partition, from its brick heartbeats: a heartbeat at time t says its brick
 * published every fop before t, and Kafka keeps a partition in order, so once this task has passed every brick's
 * heartbeat at t or later, every fop of this partition up to t has gone downstream before it. The slowest brick's
 * heartbeat is sent on whenever it advances, to every partition of the inode repartition topic behind the fops
 * it covers, so each downstream task learns what it may claim for this upstream partition.
 */
final class UpstreamProgress implements Processor<byte[], CheckedFop, String, SpecificRecord> {
  /** Header naming the {@code upcall.fops} partition a forwarded heartbeat speaks for. */
  static final String SOURCE_PARTITION_HEADER = "upcall.progress.source-partition";

  private final Duration brickTimeout;
  private final Map<String, BrickHeartbeat> latestByBrick = new HashMap<>();
  private ProcessorContext<String, SpecificRecord> context;
  private int partition;
  private long firstHeardMs = Long.MIN_VALUE;
  private long claimedMs = Long.MIN_VALUE;

  UpstreamProgress(Duration brickTimeout) {
    this.brickTimeout = brickTimeout;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.partition = context.taskId().partition();
  }

  @Override
  public void process(Record<byte[], CheckedFop> record) {
    if (!(record.value() instanceof CheckedFop.Heartbeat beat)) {
      return;
    }
    BrickHeartbeat heartbeat = beat.heartbeat();
    String brick = heartbeat.getVolume() + "/" + heartbeat.getBrick();
    if (heartbeat.getLeaving()) {
      // Its publisher closed: it publishes nothing after this, so waiting for it would only hold
      // every client's freshness back until the brick timeout.
      latestByBrick.remove(brick);
    } else {
      latestByBrick.merge(
          brick, heartbeat, (old, now) -> now.getEventTimeMs() >= old.getEventTimeMs() ? now : old);
    }
    long newest =
        Math.max(
            heartbeat.getEventTimeMs(),
            latestByBrick.values().stream()
                .mapToLong(BrickHeartbeat::getEventTimeMs)
                .max()
                .orElse(Long.MIN_VALUE));
    if (firstHeardMs == Long.MIN_VALUE) {
      firstHeardMs = heartbeat.getEventTimeMs();
    }
    // A brick silent for longer than one of its records could still take to arrive is gone (killed
    // without a farewell, or removed); waiting for it would hold every client's freshness back for
    // nothing.
    latestByBrick
        .values()
        .removeIf(latest -> newest - latest.getEventTimeMs() > patienceMs(latest));
    if (newest - firstHeardMs < ProgressMarks.LEARNING_SPAN.toMillis()) {
      return; // after a (re)start, a brick not heard from yet must not be skipped
    }
    // With every brick gone, the last one's farewell is the last word on this partition.
    BrickHeartbeat slowest =
        latestByBrick.values().stream()
            .min(Comparator.comparingLong(BrickHeartbeat::getEventTimeMs))
            .orElse(heartbeat);
    if (slowest.getEventTimeMs() > claimedMs) {
      claimedMs = slowest.getEventTimeMs();
      RecordHeaders headers = new RecordHeaders();
      headers.add(
          SOURCE_PARTITION_HEADER, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
      context.forward(
          new Record<String, SpecificRecord>(
              "upcall.fops-" + partition, slowest, claimedMs, headers));
    }
  }

  /**
   * How long (event time) a silent brick still holds this partition's progress back. A brick that announces its
   * publisher's delivery bound D and heartbeat interval I is waited for D + 2I after its latest heartbeat h: alive,
   * it would have sent another heartbeat by about h + I (2I leaves room for a late timer), and every record it
   * stamped before then is acknowledged within D of its stamp or fails, so after h + D + 2I none can still arrive.
   * A brick that announces nothing (an older publisher) is waited for the brick timeout, as is one whose bound is
   * longer.
   */
  private long patienceMs(BrickHeartbeat latest) {
    long announced = latest.getDeliveryTimeoutMs() + 2 * latest.getHeartbeatIntervalMs();
    if (latest.getDeliveryTimeoutMs() <= 0 || latest.getHeartbeatIntervalMs() <= 0) {
      return brickTimeout.toMillis();
    }
    return Math.min(announced, brickTimeout.toMillis());
  }

  /** The upstream partition a forwarded heartbeat speaks for, or -1 when it carries none. */
  static int sourcePartition(Headers headers) {
    var header = headers.lastHeader(SOURCE_PARTITION_HEADER);
    if (header == null) {
      return -1;
    }
    try {
      return Integer.parseInt(new String(header.value(), StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
