package io.upcall.streams;

import static io.upcall.schemas.UpcallFlag.FORGET;
import static io.upcall.schemas.UpcallFlag.TIMES;
import static io.upcall.schemas.UpcallFlag.XATTR;
import static io.upcall.schemas.UpcallFlag.XATTR_RM;
import static io.upcall.schemas.UpcallFlag.mask;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.avro.XattrInterest;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.XattrGlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the spec's primitives (touch, notify, forget) to one inode per event, with the inode's state in
 * this task's stores, and forwards one {@link Invalidation} per recipient keyed by its client uid. Decisions
 * use event time; a wall-clock punctuator drops state idle for 2·T, as GlusterFS's reaper does, whether or not
 * records arrive.
 */
public final class UpcallProcessor implements Processor<String, InodeEvent, String, Invalidation> {
  /** (gfid ‖ client uid) → last access second. */
  public static final String TRACKED_CLIENTS_STORE = "upcall-tracked-clients";
  /** (last access second ‖ gfid ‖ client uid) → nothing, plus the pair count: the eviction and expiry order. */
  public static final String ACCESS_ORDER_STORE = "upcall-tracked-access-order";
  /** The cause an eviction's FORGET names. */
  static final String EVICTION_CAUSE = TrackingBound.MAX_TRACKED_PAIRS_CONFIG;
  /** gfid → the latest change (InodeMeta), for the ordering rule. */
  public static final String INODE_META_STORE = "upcall-inode-meta";
  /** (gfid ‖ txId) → event time ms, for replica de-duplication. */
  public static final String TX_IDS_STORE = "upcall-tx-ids";

  /**
   * Time each expiry punctuation may spend per store; bounds the pause it causes. At ~0.5 µs per entry examined
   * and ~3 µs per entry deleted (measured, see the README) it sweeps ~19 k entries per store per punctuation.
   */
  static final Duration SWEEP_BUDGET = Duration.ofMillis(10);

  /** Sensor of the invalidations emitted: {@code invalidations-rate} and {@code -total} in {@code stream-upcall-metrics}. */
  public static final String INVALIDATIONS_SENSOR = "invalidations";

  private static final int XATTR_FLAGS = mask(XATTR, XATTR_RM);

  private final Switches defaults;
  private final Duration expiryInterval;
  private final TrackingBound bound;

  private ProcessorContext<String, Invalidation> context;
  private TrackedClients tracked;
  private LatestChanges changes;
  private Transactions transactions;
  private KeyValueStore<String, XattrInterest> xattrInterest;
  private KeyValueStore<String, String> switches;
  private ExpirySweep<InodeMeta> metaSweep;
  private ExpirySweep<Long> txSweep;
  private Sensor invalidations;

  UpcallProcessor(Switches defaults, Duration expiryInterval, TrackingBound bound) {
    this.defaults = defaults;
    this.expiryInterval = expiryInterval;
    this.bound = bound;
  }

  @Override
  public void init(ProcessorContext<String, Invalidation> context) {
    this.context = context;
    KeyValueStore<Bytes, Long> trackedStore = context.getStateStore(TRACKED_CLIENTS_STORE);
    KeyValueStore<Bytes, InodeMeta> metaStore = context.getStateStore(INODE_META_STORE);
    KeyValueStore<Bytes, Long> txStore = context.getStateStore(TX_IDS_STORE);
    tracked = new TrackedClients(trackedStore, context.getStateStore(ACCESS_ORDER_STORE), bound.perTask());
    changes = new LatestChanges(metaStore);
    transactions = new Transactions(txStore);
    xattrInterest = context.getStateStore(XattrInterestProcessor.XATTR_INTEREST_STORE);
    switches = context.getStateStore(ConfigChangeProcessor.SWITCHES_STORE);
    metaSweep = new ExpirySweep<>(metaStore, SWEEP_BUDGET, System::nanoTime);
    txSweep = new ExpirySweep<>(txStore, SWEEP_BUDGET, System::nanoTime);
    context.schedule(expiryInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
    invalidations = context.metrics().addRateTotalSensor(FopValidator.METRICS_SCOPE, context.taskId().toString(),
        INVALIDATIONS_SENSOR, Sensor.RecordingLevel.INFO);
    // Progress marks are written by ProgressMarkEmitter in this same task (so in the same transactions), from
    // brick heartbeats carried through the repartition; stream time here would not cover idle upstream partitions.
  }

  @Override
  public void process(Record<String, InodeEvent> record) {
    Switches now = ConfigChangeProcessor.current(switches, defaults);
    if (!now.cacheInvalidation()) {
      return;
    }
    InodeEvent event = record.value();
    List<Gfid> listed = event.getRole() == InodeRole.LISTED_ENTRY ? event.getFop().getEntries() : List.of();
    if (listed.isEmpty()) {
      process(Gfids.parse(record.key()), event, now, record.timestamp());
    } else {
      // The entries of one READDIRP that this task owns, in one event (PerInodeFanOut): each is its own inode.
      for (Gfid entry : listed) {
        process(entry, event, now, record.timestamp());
      }
    }
  }

  private void process(Gfid inode, InodeEvent event, Switches now, long outputTimestamp) {
    Effect effect = Effect.of(inode, event);
    if (effect instanceof Effect.None) {
      return;
    }
    FopRecord fop = event.getFop();
    byte[] gfid = inode.bytes();
    int timeout = now.timeoutSeconds();
    if (fop.getTxId() != null && transactions.seenBefore(gfid, fop.getTxId(), fop.getEventTimeMs(), timeout)) {
      return;
    }
    Inode target = new Inode(gfid, changes.of(gfid), timeout, outputTimestamp, fop);
    if (effect instanceof Effect.Touch) {
      target.touch(fop.getClient(), fop.getEventTimeMs());
    } else if (effect instanceof Effect.Notify) {
      Effect.Notify notify = (Effect.Notify) effect;
      target.notify(notify.change(), fop.getClient());
      if (notify.thenForget()) {
        target.forget(forgetting(notify.change()));
      }
    } else if (effect instanceof Effect.Forget) {
      target.forget(((Effect.Forget) effect).change());
    }
  }

  /** One inode's decision for one event: its state as read at the start, and where the output goes. */
  private final class Inode {
    private final byte[] gfid;
    private final int timeout;
    private final long outputTimestamp;
    private final FopRecord fop;
    private InodeMeta meta;

    Inode(byte[] gfid, InodeMeta meta, int timeout, long outputTimestamp, FopRecord fop) {
      this.gfid = gfid;
      this.meta = meta;
      this.timeout = timeout;
      this.outputTimestamp = outputTimestamp;
      this.fop = fop;
    }

    /** touch, with the ordering rule: an access older than the latest change gets that change. */
    void touch(String client, long eventTimeMs) {
      Invalidation latest = meta == null ? null : meta.getLatestChange();
      if (latest != null && latest.getEventTimeMs() > eventTimeMs) {
        long changeSecond = Freshness.second(latest.getEventTimeMs());
        if (!client.equals(meta.getLatestChangeOriginator())
            && Freshness.isFresh(changeSecond, Freshness.second(eventTimeMs), timeout)) {
          emit(client, latest);
        }
        if (FORGET.in(latest.getFlags())) {
          return; // the inode is gone: tracking it again would only keep a dead entry
        }
      }
      for (TrackedClients.Tracked evicted : tracked.touch(gfid, client, Freshness.second(eventTimeMs))) {
        forgetEvicted(evicted, eventTimeMs);
      }
    }

    /**
     * A pair evicted to stay within max-tracked-pairs would no longer be told of changes: a client still fresh on
     * that inode gets FORGET for it now, so it cannot keep serving what it cached. One that is not fresh would not
     * be told anything anyway.
     */
    private void forgetEvicted(TrackedClients.Tracked evicted, long eventTimeMs) {
      if (!Freshness.isFresh(Freshness.second(eventTimeMs), evicted.lastAccessSecond(), timeout)) {
        return;
      }
      Invalidation forget = new Invalidation(evicted.client(), new Gfid(evicted.gfid()), FORGET.bit(),
          fop.getVolume(), null, null, null, null, null, List.of(), timeout, eventTimeMs, fop.getBrick(),
          EVICTION_CAUSE);
      context.forward(new Record<>(evicted.client(), forget, outputTimestamp));
      invalidations.record();
    }

    /** notify: every fresh tracked client but the originator; then touch(originator). */
    void notify(Invalidation change, String originator) {
      long second = Freshness.second(change.getEventTimeMs());
      for (TrackedClients.Tracked client : tracked.of(gfid)) {
        if (!client.client().equals(originator) && Freshness.isFresh(second, client.lastAccessSecond(), timeout)) {
          emit(client.client(), change);
        }
      }
      touch(originator, change.getEventTimeMs());
      remember(change, originator);
    }

    /**
     * forget: FORGET to every fresh tracked client, the originator included, and they are no longer tracked. A
     * client that was not fresh stays until expiry: only a change older than this forget, arriving late, could
     * still find it fresh, and such a change must reach it.
     */
    void forget(Invalidation forget) {
      long second = Freshness.second(forget.getEventTimeMs());
      List<TrackedClients.Tracked> told = new ArrayList<>();
      for (TrackedClients.Tracked client : tracked.of(gfid)) {
        if (Freshness.isFresh(second, client.lastAccessSecond(), timeout)) {
          emit(client.client(), forget);
          told.add(client);
        }
      }
      tracked.untrack(told);
      remember(forget, null);
    }

    private void remember(Invalidation change, String originator) {
      if (timeout == 0) {
        return; // nothing can be replayed to anyone who is never fresh
      }
      InodeMeta next = LatestChanges.merged(meta, change, originator, timeout);
      if (next != meta) {
        changes.put(gfid, next);
        meta = next;
      }
    }

    private void emit(String client, Invalidation change) {
      List<String> patterns = change.getXattrs().isEmpty()
          ? List.of()
          : XattrInterestProcessor.patternsOf(xattrInterest, client);
      Invalidation invalidation = forClient(change, client, patterns, timeout);
      if (invalidation != null) {
        context.forward(new Record<>(client, invalidation, outputTimestamp));
        invalidations.record();
      }
    }
  }

  /**
   * {@code change} as {@code client} gets it, or null when it concerns nothing the client caches: a change that
   * names xattrs tells each client only the names its patterns match (TIMES rides along only with a match).
   */
  static Invalidation forClient(Invalidation change, String client, List<String> patterns, int timeoutSeconds) {
    int flags = change.getFlags();
    List<Xattr> xattrs = change.getXattrs();
    if (!xattrs.isEmpty()) {
      List<Xattr> matched = new ArrayList<>(xattrs.size());
      for (Xattr xattr : xattrs) {
        if (XattrGlob.matchesAny(patterns, xattr.getName())) {
          matched.add(xattr);
        }
      }
      if (matched.isEmpty()) {
        if ((flags & ~(XATTR_FLAGS | TIMES.bit())) == 0) {
          return null;
        }
        flags &= ~XATTR_FLAGS;
      }
      xattrs = matched;
    }
    return new Invalidation(client, change.getGfid(), flags, change.getVolume(), change.getStat(),
        change.getParent(), change.getParentStat(), change.getOldParent(), change.getOldParentStat(), xattrs,
        timeoutSeconds, change.getEventTimeMs(), change.getBrick(), change.getCauseFopId());
  }

  /** The FORGET that follows a change when the inode's last link went. */
  private static Invalidation forgetting(Invalidation change) {
    return new Invalidation("", change.getGfid(), FORGET.bit(), change.getVolume(), null, null, null, null, null,
        List.of(), 0, change.getEventTimeMs(), change.getBrick(), change.getCauseFopId());
  }

  @Override
  public void close() {
    context.metrics().removeSensor(invalidations);
  }

  /** Drops state idle for 2·T of wall-clock time: it can never be notified (or replayed, or matched) again. */
  private void expire(long wallClockMs) {
    long now = Freshness.second(wallClockMs);
    long horizon = 2L * ConfigChangeProcessor.current(switches, defaults).timeoutSeconds();
    tracked.expire(now - horizon, SWEEP_BUDGET, System::nanoTime);
    metaSweep.sweep(meta -> meta.getLatestChange() == null
        || now - Freshness.second(meta.getLatestChange().getEventTimeMs()) > horizon);
    txSweep.sweep(eventTimeMs -> now - Freshness.second(eventTimeMs) > horizon);
  }
}
