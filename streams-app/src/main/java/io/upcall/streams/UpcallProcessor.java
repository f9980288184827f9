package io.upcall.streams;

import static io.upcall.schemas.UpcallFlag.FORGET;
import static io.upcall.schemas.UpcallFlag.TIMES;
import static io.upcall.schemas.UpcallFlag.XATTR;
import static io.upcall.schemas.UpcallFlag.XATTR_RM;
import static io.upcall.schemas.UpcallFlag.mask;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.avro.Xattr;
import io.upcall.avro.XattrInterest;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.XattrGlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the spec's primitives (touch, notify, forget) to one inode per event, with the inode's state in
 * this task's stores, and forwards the invalidations: in the {@code batched} format as {@link
 * InvalidationBatch} records, one per partition of {@code upcall.invalidations} at a time, through the
 * {@link InvalidationOutbox}; in the {@code per-client} format one {@link Invalidation} per recipient keyed by its
 * client uid. Decisions use event time; a wall-clock punctuator drops state idle for 2·T, as GlusterFS's reaper
 * does, whether or not records arrive.
 */
public final class UpcallProcessor implements Processor<String, InodeEvent, String, SpecificRecord> {
  /** (gfid ‖ client uid) → last access second; no changelog: rebuilt from the {@link TrackingJournal}. */
  public static final String TRACKED_CLIENTS_STORE = "upcall-tracked-clients";
  /** (last access second ‖ gfid ‖ client uid) → nothing, plus the pair count: the eviction and expiry order. */
  public static final String ACCESS_ORDER_STORE = "upcall-tracked-access-order";
  /** gfid → a change still being told to the inode's tracked clients, and how far it got. */
  public static final String PENDING_FANOUTS_STORE = "upcall-pending-fanouts";
  /**
   * Recipients one change is told at once; the rest is told by punctuations, the same number each, with other
   * partitions' records in between. At ~3 µs per recipient (measured, see the README) a chunk holds the stream
   * thread ~15 ms, well under the 100 ms commit interval.
   */
  static final int FANOUT_CHUNK = 5_000;
  /** How soon a punctuation tells the next chunk of a pending fan-out. */
  static final Duration FANOUT_RESUME_INTERVAL = Duration.ofMillis(10);

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
  private final BatchSettings batching;
  private final InvalidationPartitions partitions;
  private final String invalidationsTopic;
  private final Serializer<Invalidation> encoder;
  private final Deserializer<Invalidation> decoder;

  private ProcessorContext<String, SpecificRecord> context;
  private InvalidationOutbox outbox;
  private Cancellable restoredFlush;
  private InvalidationFormat format;
  /** The last change given a timeout, shared by all its recipients in a batch (encoded once). */
  private Invalidation sharedChange;
  private int sharedTimeout;
  private Invalidation sharedBody;
  private TrackedClients tracked;
  private LatestChanges changes;
  private Transactions transactions;
  private KeyValueStore<String, XattrInterest> xattrInterest;
  private KeyValueStore<String, String> switches;
  private ExpirySweep<InodeMeta> metaSweep;
  private ExpirySweep<Long> txSweep;
  private Sensor invalidations;
  private PendingFanOuts pendingFanOuts;
  /** The gfids of {@link #pendingFanOuts}, in memory: every event asks, and almost always the answer is no. */
  private final Set<Bytes> pending = new HashSet<>();
  private Cancellable resume;

  UpcallProcessor(Switches defaults, Duration expiryInterval, TrackingBound bound, BatchSettings batching,
      InvalidationPartitions partitions, String invalidationsTopic, Serializer<Invalidation> encoder,
      Deserializer<Invalidation> decoder) {
    this.defaults = defaults;
    this.expiryInterval = expiryInterval;
    this.bound = bound;
    this.batching = batching;
    this.partitions = partitions;
    this.invalidationsTopic = invalidationsTopic;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    format = defaults.format();
    outbox = new InvalidationOutbox(context.getStateStore(InvalidationOutbox.STORE), partitions, batching,
        invalidationsTopic, encoder, decoder);
    // Batches a previous owner of this task left in the store are written at the next punctuation (init forwards
    // nothing).
    boolean restored = outbox.restore();
    if (!batching.immediate()) {
      context.schedule(batching.maxDelay(), PunctuationType.WALL_CLOCK_TIME, this::writeBatches);
    } else if (restored) {
      restoredFlush = context.schedule(FANOUT_RESUME_INTERVAL, PunctuationType.WALL_CLOCK_TIME, wallClockMs -> {
        writeBatches(wallClockMs);
        restoredFlush.cancel();
      });
    }
    KeyValueStore<Bytes, Long> trackedStore = context.getStateStore(TRACKED_CLIENTS_STORE);
    KeyValueStore<Bytes, InodeMeta> metaStore = context.getStateStore(INODE_META_STORE);
    KeyValueStore<Bytes, Long> txStore = context.getStateStore(TX_IDS_STORE);
    xattrInterest = context.getStateStore(XattrInterestProcessor.XATTR_INTEREST_STORE);
    switches = context.getStateStore(ConfigChangeProcessor.SWITCHES_STORE);
    tracked = new TrackedClients(trackedStore, context.getStateStore(ACCESS_ORDER_STORE),
        new TrackingJournal(context.getStateStore(TrackingJournal.STORE)), bound.perTask(),
        expiryCutoff(context.currentSystemTimeMs()));
    changes = new LatestChanges(metaStore);
    transactions = new Transactions(txStore);
    metaSweep = new ExpirySweep<>(metaStore, SWEEP_BUDGET, System::nanoTime);
    txSweep = new ExpirySweep<>(txStore, SWEEP_BUDGET, System::nanoTime);
    context.schedule(expiryInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
    invalidations = context.metrics().addRateTotalSensor(FopValidator.METRICS_SCOPE, context.taskId().toString(),
        INVALIDATIONS_SENSOR, Sensor.RecordingLevel.INFO);
    pendingFanOuts = new PendingFanOuts(context.getStateStore(PENDING_FANOUTS_STORE));
    for (byte[] gfid : pendingFanOuts.gfids()) { // fan-outs a previous owner of this task left under way
      pending.add(Bytes.wrap(gfid));
    }
    if (!pending.isEmpty()) {
      resumeFanOutsSoon();
    }
    // Progress marks are written by ProgressMarkEmitter in this same task (so in the same transactions), from
    // brick heartbeats carried through the repartition; stream time here would not cover idle upstream partitions.
  }

  @Override
  public void process(Record<String, InodeEvent> record) {
    Switches now = ConfigChangeProcessor.current(switches, defaults);
    if (now.format() != format) {
      format = now.format();
      writeBatches(record.timestamp()); // what was batched goes first, so each client gets its changes in order
    }
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
    afterWork(record.timestamp());
  }

  private void process(Gfid inode, InodeEvent event, Switches now, long outputTimestamp) {
    Effect effect = Effect.of(inode, event);
    if (effect instanceof Effect.None) {
      return;
    }
    FopRecord fop = event.getFop();
    byte[] gfid = inode.bytes();
    finishFanOut(gfid); // an inode's events are decided in order: a change still being told goes first
    int timeout = now.timeoutSeconds();
    if (fop.getTxId() != null && transactions.seenBefore(gfid, fop.getTxId(), fop.getBrick(), fop.getEventTimeMs(),
        timeout)) {
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
            && TrackingFreshness.isFresh(changeSecond, TrackingFreshness.second(eventTimeMs), timeout)) {
          // The latest change may merge a stat change (a file created in this directory) with an xattr change
          // whose names this client does not match: its TIMES must still reach it.
          UpcallProcessor.this.emit(client, latest, timeout, outputTimestamp, true);
        }
        if (FORGET.in(latest.getFlags())) {
          return; // the inode is gone: tracking it again would only keep a dead entry
        }
      }
      for (TrackedClients.Tracked evicted : tracked.touch(gfid, client, TrackingFreshness.second(eventTimeMs))) {
        forgetEvicted(evicted, eventTimeMs);
      }
    }

    /**
     * A pair evicted to stay within max-tracked-pairs would no longer be told of changes: a client still fresh on
     * that inode gets FORGET for it now, so it cannot keep serving what it cached. One that is not fresh would not
     * be told anything anyway.
     */
    private void forgetEvicted(TrackedClients.Tracked evicted, long eventTimeMs) {
      if (!TrackingFreshness.isFresh(TrackingFreshness.second(eventTimeMs), evicted.lastAccessSecond(), timeout)) {
        return;
      }
      Invalidation forget = new Invalidation("", new Gfid(evicted.gfid()), FORGET.bit(),
          fop.getVolume(), null, null, null, null, null, List.of(), timeout, eventTimeMs, fop.getBrick(),
          EVICTION_CAUSE);
      tell(evicted.client(), forget, outputTimestamp);
    }

    /**
     * notify: every fresh tracked client but the originator; then touch(originator). An inode with more tracked
     * clients than a chunk is told one chunk now and the rest by punctuations (see {@link #FANOUT_CHUNK}).
     */
    void notify(Invalidation change, String originator) {
      Bytes toldUpTo = tellChunk(gfid, change, originator, timeout, null, FANOUT_CHUNK, outputTimestamp);
      if (toldUpTo != null) {
        pendingFanOuts.put(gfid, new PendingFanOuts.Pending(change, originator, timeout, toldUpTo));
        pending.add(Bytes.wrap(gfid));
        resumeFanOutsSoon();
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
      finishFanOut(gfid);
      long second = TrackingFreshness.second(forget.getEventTimeMs());
      List<TrackedClients.Tracked> untracked = new ArrayList<>();
      Set<String> told = new LinkedHashSet<>();
      for (TrackedClients.Tracked client : tracked.of(gfid)) {
        if (TrackingFreshness.isFresh(second, client.lastAccessSecond(), timeout)) {
          emit(client.client(), forget);
          untracked.add(client);
          told.add(client.client());
        }
      }
      // Processed again after an at-least-once crash, this forget may find the state it left (its clients no longer
      // tracked) while the FORGETs it sent then were lost with the crash: tell them again whom it told.
      if (meta != null && forget.getCauseFopId() != null
          && forget.getCauseFopId().equals(meta.getForgetCause())) {
        for (String client : meta.getForgotten()) {
          if (told.add(client)) {
            emit(client, forget);
          }
        }
      }
      // Written before the clients are untracked: under at-least-once a crash may keep the untracking (its changelog
      // record goes out at once) and lose a batch still held, and a replayed forget finds nobody tracked to tell.
      writeBatches(outputTimestamp);
      tracked.untrack(untracked);
      remember(forget, null);
      if (meta != null && timeout != 0) {
        meta = LatestChanges.withForgotten(meta, forget.getCauseFopId(), List.copyOf(told));
        changes.put(gfid, meta);
      }
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
      UpcallProcessor.this.emit(client, change, timeout, outputTimestamp);
    }
  }

  private void emit(String client, Invalidation change, int timeout, long outputTimestamp) {
    emit(client, change, timeout, outputTimestamp, false);
  }

  private void emit(String client, Invalidation change, int timeout, long outputTimestamp, boolean merged) {
    Invalidation body;
    if (change.getXattrs().isEmpty()) {
      if (change != sharedChange || timeout != sharedTimeout) {
        sharedChange = change;
        sharedTimeout = timeout;
        sharedBody = forClient(change, "", List.of(), timeout, merged);
      }
      body = sharedBody;
    } else {
      body = forClient(change, "", XattrInterestProcessor.patternsOf(xattrInterest, client), timeout, merged);
    }
    if (body != null) {
      tell(client, body, outputTimestamp);
    }
  }

  /** Tells {@code client} the invalidation {@code body} (client uid empty) in the format in force. */
  private void tell(String client, Invalidation body, long outputTimestamp) {
    if (format == InvalidationFormat.BATCHED) {
      outbox.add(client, body, outputTimestamp);
    } else {
      context.forward(new Record<>(client, SharedChangeSerializer.withClient(body, client), outputTimestamp));
    }
    invalidations.record();
  }

  /**
   * Ends a record or punctuation: batches that are full (or all of them, without a batch delay) are written, and
   * the rest are made durable before Streams may commit (see {@link InvalidationOutbox}).
   */
  private void afterWork(long timestamp) {
    tracked.persist();
    if (batching.immediate()) {
      writeBatches(timestamp);
      return;
    }
    for (InvalidationBatch batch : outbox.takeFull()) {
      context.forward(new Record<>(null, batch, timestamp));
    }
    outbox.persist();
  }

  /** Writes every batch now: at the batch delay, and before a change of format. */
  private void writeBatches(long timestamp) {
    if (outbox.isEmpty()) {
      return;
    }
    long latest = outbox.latestTimestamp(timestamp);
    for (InvalidationBatch batch : outbox.takeAll()) {
      context.forward(new Record<>(null, batch, latest));
    }
    outbox.persist();
  }

  /**
   * Tells {@code change} to the next {@code limit} tracked clients of {@code gfid} after {@code after} (the first
   * when null) that are fresh and not its originator.
   *
   * @return the last tracked client examined when some remain, null when the fan-out is complete
   */
  private Bytes tellChunk(byte[] gfid, Invalidation change, String originator, int timeout, Bytes after, int limit,
      long outputTimestamp) {
    long second = TrackingFreshness.second(change.getEventTimeMs());
    List<TrackedClients.Tracked> chunk = tracked.after(gfid, after, limit + 1);
    int told = Math.min(limit, chunk.size());
    for (TrackedClients.Tracked client : chunk.subList(0, told)) {
      if (!client.client().equals(originator) && TrackingFreshness.isFresh(second, client.lastAccessSecond(), timeout)) {
        emit(client.client(), change, timeout, outputTimestamp);
      }
    }
    return chunk.size() > limit ? chunk.get(told - 1).key() : null;
  }

  /** Tells the rest of {@code gfid}'s pending change, if any, at once. */
  private void finishFanOut(byte[] gfid) {
    if (pending.isEmpty() || !pending.remove(Bytes.wrap(gfid))) {
      return;
    }
    PendingFanOuts.Pending left = pendingFanOuts.of(gfid);
    Bytes after = left.toldUpTo();
    while (after != null) {
      after = tellChunk(gfid, left.change(), left.originator(), left.timeoutSeconds(), after, FANOUT_CHUNK,
          left.change().getEventTimeMs());
    }
    pendingFanOuts.done(gfid);
  }

  private void resumeFanOutsSoon() {
    if (resume == null) {
      resume = context.schedule(FANOUT_RESUME_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::resumeFanOuts);
    }
  }

  /** Tells up to one chunk's worth of recipients of the pending fan-outs; stops punctuating once none is left. */
  private void resumeFanOuts(long wallClockMs) {
    int budget = FANOUT_CHUNK;
    for (Bytes key : List.copyOf(pending)) {
      if (budget <= 0) {
        break;
      }
      byte[] gfid = key.get();
      PendingFanOuts.Pending left = pendingFanOuts.of(gfid);
      Bytes toldUpTo = tellChunk(gfid, left.change(), left.originator(), left.timeoutSeconds(), left.toldUpTo(),
          budget, left.change().getEventTimeMs());
      budget -= FANOUT_CHUNK; // one inode per chunk's budget: a partial chunk still cost a scan
      if (toldUpTo == null) {
        pendingFanOuts.done(gfid);
        pending.remove(key);
      } else {
        pendingFanOuts.put(gfid, new PendingFanOuts.Pending(left.change(), left.originator(),
            left.timeoutSeconds(), toldUpTo));
      }
    }
    if (pending.isEmpty()) {
      resume.cancel();
      resume = null;
    }
    afterWork(wallClockMs);
  }

  /**
   * {@code change} as {@code client} gets it, or null when it concerns nothing the client caches: a change that
   * names xattrs tells each client only the names its patterns match, and TIMES rides along only with a match (as
   * GlusterFS sends TIMES|XATTR) unless the change is {@code merged}, where TIMES may come from another change.
   */
  static Invalidation forClient(Invalidation change, String client, List<String> patterns, int timeoutSeconds,
      boolean merged) {
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
        if ((flags & ~(XATTR_FLAGS | (merged ? 0 : TIMES.bit()))) == 0) {
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

  /** The second before which a tracked pair is idle for 2·T at {@code wallClockMs}. */
  private long expiryCutoff(long wallClockMs) {
    return TrackingFreshness.second(wallClockMs) - 2L * ConfigChangeProcessor.current(switches, defaults).timeoutSeconds();
  }

  @Override
  public void close() {
    context.metrics().removeSensor(invalidations);
  }

  /** Drops state idle for 2·T of wall-clock time: it can never be notified (or replayed, or matched) again. */
  private void expire(long wallClockMs) {
    long now = TrackingFreshness.second(wallClockMs);
    long horizon = 2L * ConfigChangeProcessor.current(switches, defaults).timeoutSeconds();
    tracked.expire(expiryCutoff(wallClockMs), SWEEP_BUDGET, System::nanoTime);
    tracked.persist();
    metaSweep.sweep(meta -> meta.getLatestChange() == null
        || now - TrackingFreshness.second(meta.getLatestChange().getEventTimeMs()) > horizon);
    txSweep.sweep(stored -> now - Transactions.secondOf(stored) > horizon);
  }
}
