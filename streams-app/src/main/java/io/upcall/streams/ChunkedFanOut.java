package io.upcall.streams;

import io.upcall.avro.Invalidation;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Tells a change to its inode's fresh tracked clients but the originator, {@link #CHUNK} at a time: the first chunk
 * at once, the rest by wall-clock punctuations with other records in between, so an inode read by 100,000 clients
 * does not hold its stream thread past a commit interval. What is left is kept in {@link PendingFanOuts} (a restarted
 * task finishes it), and the inode's next event finishes it first, which keeps each inode's decisions in order.
 */
final class ChunkedFanOut {
  /**
   * Recipients one change is told at once; the rest is told by punctuations, the same number each, with other
   * partitions' records in between. At ~3 µs per recipient (measured, see the README) a chunk holds the stream
   * thread ~15 ms, well under the 100 ms commit interval.
   */
  static final int CHUNK = 5_000;

  /**
   * A chunk that told at least this many recipients has filled a batch for every partition by itself: its batches
   * are written at once rather than after the batch delay, which would only add latency (a wall-clock punctuation,
   * one more pass of the stream thread's loop), and a commit is requested so they are readable at once.
   */
  static final int WRITE_AT_ONCE = 1_000;

  /** How soon a punctuation tells the next chunk of a pending fan-out. */
  static final Duration RESUME_INTERVAL = Duration.ofMillis(10);

  private final ProcessorContext<String, SpecificRecord> context;
  private final TrackedClients tracked;
  private final InvalidationWriter writer;
  private final PendingFanOuts pendingFanOuts;

  /** Ends a punctuation's work as a record's work ends. */
  private final LongConsumer endOfWork;

  /** The gfids of {@link #pendingFanOuts}, in memory: every event asks, and almost always the answer is no. */
  private final Set<Bytes> pending = new HashSet<>();

  private Cancellable resume;

  ChunkedFanOut(
      ProcessorContext<String, SpecificRecord> context,
      TrackedClients tracked,
      InvalidationWriter writer,
      PendingFanOuts pendingFanOuts,
      LongConsumer endOfWork) {
    this.context = context;
    this.tracked = tracked;
    this.writer = writer;
    this.pendingFanOuts = pendingFanOuts;
    this.endOfWork = endOfWork;
    for (byte[] gfid :
        pendingFanOuts.gfids()) { // fan-outs a previous owner of this task left under way
      pending.add(Bytes.wrap(gfid));
    }
    if (!pending.isEmpty()) {
      resumeSoon();
    }
  }

  /** notify's fan-out: tells the first chunk now, and keeps the rest for punctuations. */
  void start(
      byte[] gfid,
      Invalidation change,
      String originator,
      int timeoutSeconds,
      long outputTimestamp) {
    Bytes toldUpTo =
        tellChunk(gfid, change, originator, timeoutSeconds, null, CHUNK, outputTimestamp);
    if (toldUpTo != null) {
      pendingFanOuts.put(
          gfid, new PendingFanOuts.Pending(change, originator, timeoutSeconds, toldUpTo));
      pending.add(Bytes.wrap(gfid));
      resumeSoon();
    }
  }

  /** Tells the rest of {@code gfid}'s pending change, if any, at once. */
  void finish(byte[] gfid) {
    if (pending.isEmpty() || !pending.remove(Bytes.wrap(gfid))) {
      return;
    }
    PendingFanOuts.Pending left = pendingFanOuts.of(gfid);
    Bytes after = left.toldUpTo();
    while (after != null) {
      after =
          tellChunk(
              gfid,
              left.change(),
              left.originator(),
              left.timeoutSeconds(),
              after,
              CHUNK,
              left.change().getEventTimeMs());
    }
    pendingFanOuts.done(gfid);
  }

  /**
   * Tells {@code change} to the next {@code limit} tracked clients of {@code gfid} after {@code after} (the first
   * when null) that are fresh and not its originator.
   *
   * @return the last tracked client examined when some remain, null when the fan-out is complete
   */
  private Bytes tellChunk(
      byte[] gfid,
      Invalidation change,
      String originator,
      int timeoutSeconds,
      Bytes after,
      int limit,
      long outputTimestamp) {
    long second = TrackingFreshness.second(change.getEventTimeMs());
    List<TrackedClients.Tracked> chunk = tracked.after(gfid, after, limit + 1);
    int examined = Math.min(limit, chunk.size());
    int told = 0;
    for (TrackedClients.Tracked client : chunk.subList(0, examined)) {
      if (!client.client().equals(originator)
          && TrackingFreshness.isFresh(second, client.lastAccessSecond(), timeoutSeconds)) {
        writer.tell(client.client(), change, timeoutSeconds, outputTimestamp);
        told++;
      }
    }
    if (told >= WRITE_AT_ONCE) {
      writer.writeBatches(outputTimestamp);
      // Under exactly-once the batches are read only once their transaction commits; without
      // asking, a large fan-out waited up to a commit interval (100 ms) more than a small one.
      context.commit();
    }
    return chunk.size() > limit ? chunk.get(examined - 1).key() : null;
  }

  private void resumeSoon() {
    if (resume == null) {
      resume = context.schedule(RESUME_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::resume);
    }
  }

  /** Tells up to one chunk's worth of recipients of the pending fan-outs; stops punctuating once none is left. */
  private void resume(long wallClockMs) {
    int budget = CHUNK;
    for (Bytes key : List.copyOf(pending)) {
      if (budget <= 0) {
        break;
      }
      byte[] gfid = key.get();
      PendingFanOuts.Pending left = pendingFanOuts.of(gfid);
      Bytes toldUpTo =
          tellChunk(
              gfid,
              left.change(),
              left.originator(),
              left.timeoutSeconds(),
              left.toldUpTo(),
              budget,
              left.change().getEventTimeMs());
      budget -= CHUNK; // one inode per chunk's budget: a partial chunk still cost a scan
      if (toldUpTo == null) {
        pendingFanOuts.done(gfid);
        pending.remove(key);
      } else {
        pendingFanOuts.put(
            gfid,
            new PendingFanOuts.Pending(
                left.change(), left.originator(), left.timeoutSeconds(), toldUpTo));
      }
    }
    if (pending.isEmpty()) {
      resume.cancel();
      resume = null;
    }
    endOfWork.accept(wallClockMs);
  }
}
