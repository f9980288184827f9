package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.ProgressMark;
import java.util.Arrays;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this task's progress marks: on a wall-clock punctuation, a ProgressMark into every invalidation partition
 * claiming the event time up to which every fop of every upstream partition has been processed here. It may claim
 * only what it has seen through the repartition from ALL upstream partitions, so it claims the minimum of their
 * forwarded heartbeats, and nothing until each has spoken. The invalidations of those fops were forwarded before
 * the mark by the same task, so under exactly-once they commit with or before it; a change whose fan-out is still
 * under way (a hot inode told in chunks), or still in a batch not yet written, holds the claim back to just before
 * it.
 */
final class ProgressMarkEmitter implements Processor<String, SpecificRecord, String, ProgressMark> {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressMarkEmitter.class);

  private final ProgressMarks settings;
  private final long[] claimedByUpstream;
  private ProcessorContext<String, ProgressMark> context;
  private String task;
  private KeyValueStore<Bytes, byte[]> pendingFanOuts;
  private KeyValueStore<Bytes, byte[]> outbox;

  ProgressMarkEmitter(ProgressMarks settings) {
    this.settings = settings;
    this.claimedByUpstream = new long[settings.fopsPartitions()];
    Arrays.fill(claimedByUpstream, Long.MIN_VALUE);
  }

  @Override
  public void init(ProcessorContext<String, ProgressMark> context) {
    this.context = context;
    this.task = context.taskId().toString();
    if (context.taskId().partition() >= settings.fopsPartitions()) {
      throw new IllegalStateException(
          "task "
              + task
              + " exists, but marks claim "
              + settings.fopsPartitions()
              + " tasks: the inode repartition topic must have as many partitions as upcall.fops");
    }
    pendingFanOuts = context.getStateStore(UpcallProcessor.PENDING_FANOUTS_STORE);
    outbox = context.getStateStore(InvalidationOutbox.STORE);
    context.schedule(settings.interval(), PunctuationType.WALL_CLOCK_TIME, this::mark);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (!(record.value() instanceof BrickHeartbeat heartbeat)) {
      return;
    }
    int upstream = UpstreamProgress.sourcePartition(record.headers());
    if (upstream < 0 || upstream >= claimedByUpstream.length) {
      LOG.warn(
          "task {}: ignoring progress from upstream partition {} of {}",
          task,
          upstream,
          claimedByUpstream.length);
      return;
    }
    claimedByUpstream[upstream] = Math.max(claimedByUpstream[upstream], heartbeat.getEventTimeMs());
  }

  private void mark(long wallClockMs) {
    long watermark = Arrays.stream(claimedByUpstream).min().orElseThrow();
    if (watermark == Long.MIN_VALUE) {
      return; // an upstream partition has not spoken: nothing can be claimed yet
    }
    long pendingFrom =
        Math.min(
            PendingFanOuts.earliestEventTime(pendingFanOuts),
            InvalidationOutbox.earliestEventTimeMs(outbox));
    if (pendingFrom <= watermark) {
      watermark = pendingFrom - 1; // that change's invalidations are not all written yet
    }
    ProgressMark mark =
        ProgressMark.newBuilder()
            .setTask(task)
            .setTaskCount(settings.fopsPartitions())
            .setWatermarkMs(watermark)
            .setEmittedAtMs(wallClockMs)
            .build();
    context.forward(new Record<>(task, mark, wallClockMs));
  }
}
