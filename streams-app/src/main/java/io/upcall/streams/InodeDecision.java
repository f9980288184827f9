package io.upcall.streams;

import static io.upcall.schemas.UpcallFlag.FORGET;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.schemas.InvalidationCopies;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One inode's decision for one event, by the spec's primitives (touch, notify, forget): the inode's state as read at
 * the start, the task's stores it changes, and where the invalidations go.
 */
final class InodeDecision {
  /** The cause an eviction's FORGET names. */
  static final String EVICTION_CAUSE = TrackingBound.MAX_TRACKED_PAIRS_CONFIG;

  /** The task's state and output an inode's decision works on. */
  record Task(
      TrackedClients tracked,
      LatestChanges changes,
      InvalidationWriter writer,
      ChunkedFanOut fanOut) {}

  private final Task task;
  private final byte[] gfid;
  private final int timeout;
  private final long outputTimestamp;
  private final FopRecord fop;
  private InodeMeta meta;

  InodeDecision(Task task, byte[] gfid, int timeout, long outputTimestamp, FopRecord fop) {
    this.task = task;
    this.gfid = gfid;
    this.meta = task.changes().of(gfid);
    this.timeout = timeout;
    this.outputTimestamp = outputTimestamp;
    this.fop = fop;
  }

  /**
   * touch, with the ordering rule: an access older than the latest change gets that change. An access in the same
   * millisecond counts as older: records from different bricks or fan-out paths carry no order within a
   * millisecond, and the access may have read the old state (an extra invalidation costs a lookup).
   */
  void touch(String client, long eventTimeMs) {
    Invalidation latest = meta == null ? null : meta.getLatestChange();
    if (latest != null && latest.getEventTimeMs() >= eventTimeMs) {
      long changeSecond = TrackingFreshness.second(latest.getEventTimeMs());
      if (!client.equals(meta.getLatestChangeOriginator())
          && TrackingFreshness.isFresh(
              changeSecond, TrackingFreshness.second(eventTimeMs), timeout)) {
        task.writer().tellLatest(client, latest, timeout, outputTimestamp);
      }
      if (FORGET.in(latest.getFlags())) {
        return; // the inode is gone: tracking it again would only keep a dead entry
      }
    }
    for (TrackedClients.Tracked evicted :
        task.tracked().touch(gfid, client, TrackingFreshness.second(eventTimeMs))) {
      forgetEvicted(evicted, eventTimeMs);
    }
  }

  /**
   * A pair evicted to stay within max-tracked-pairs would no longer be told of changes: a client still fresh on
   * that inode gets FORGET for it now, so it cannot keep serving what it cached. One that is not fresh would not
   * be told anything anyway.
   */
  private void forgetEvicted(TrackedClients.Tracked evicted, long eventTimeMs) {
    if (!TrackingFreshness.isFresh(
        TrackingFreshness.second(eventTimeMs), evicted.lastAccessSecond(), timeout)) {
      return;
    }
    task.writer()
        .write(
            evicted.client(),
            InvalidationCopies.forget(
                new Gfid(evicted.gfid()),
                fop.getVolume(),
                fop.getBrick(),
                timeout,
                eventTimeMs,
                EVICTION_CAUSE),
            outputTimestamp);
  }

  /**
   * notify: every fresh tracked client but the originator (in chunks, see {@link ChunkedFanOut}); then
   * touch(originator).
   */
  void notify(Invalidation change, String originator) {
    task.fanOut().start(gfid, change, originator, timeout, outputTimestamp);
    touch(originator, change.getEventTimeMs());
    remember(change, originator);
  }

  /**
   * forget: FORGET to every fresh tracked client, the originator included, and they are no longer tracked. A
   * client that was not fresh stays until expiry: only a change older than this forget, arriving late, could
   * still find it fresh, and such a change must reach it.
   */
  void forget(Invalidation forget) {
    task.fanOut().finish(gfid);
    long second = TrackingFreshness.second(forget.getEventTimeMs());
    List<TrackedClients.Tracked> untracked = new ArrayList<>();
    Set<String> told = new LinkedHashSet<>();
    for (TrackedClients.Tracked client : task.tracked().of(gfid)) {
      if (TrackingFreshness.isFresh(second, client.lastAccessSecond(), timeout)) {
        task.writer().tell(client.client(), forget, timeout, outputTimestamp);
        untracked.add(client);
        told.add(client.client());
      }
    }
    // Processed again after an at-least-once crash, this forget may find the state it left (its
    // clients no longer tracked) while the FORGETs it sent then were lost with the crash: tell them
    // again whom it told.
    if (meta != null
        && forget.getCauseFopId() != null
        && forget.getCauseFopId().equals(meta.getForgetCause())) {
      for (String client : meta.getForgotten()) {
        if (told.add(client)) {
          task.writer().tell(client, forget, timeout, outputTimestamp);
        }
      }
    }
    // Written before the clients are untracked: under at-least-once a crash may keep the untracking
    // and lose a batch still held, and a replayed forget would find nobody tracked to tell.
    task.writer().writeBatches(outputTimestamp);
    task.tracked().untrack(untracked);
    remember(forget, null);
    if (meta != null && timeout != 0) {
      meta = LatestChanges.withForgotten(meta, forget.getCauseFopId(), List.copyOf(told));
      task.changes().put(gfid, meta);
    }
  }

  /** The FORGET that follows a change when the inode's last link went. */
  static Invalidation forgetting(Invalidation change) {
    return InvalidationCopies.forget(
        change.getGfid(),
        change.getVolume(),
        change.getBrick(),
        0,
        change.getEventTimeMs(),
        change.getCauseFopId());
  }

  private void remember(Invalidation change, String originator) {
    if (timeout == 0) {
      return; // nothing can be replayed to anyone who is never fresh
    }
    InodeMeta next = LatestChanges.merged(meta, change, originator, timeout);
    if (next != meta) {
      task.changes().put(gfid, next);
      meta = next;
    }
  }
}
