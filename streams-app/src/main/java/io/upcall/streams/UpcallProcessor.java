package io.upcall.streams;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.Gfids;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Applies the spec's primitives (touch, notify, forget) to one inode per event ({@link InodeDecision}), with the
 * inode's state in this task's stores, and has the {@link InvalidationWriter} tell the invalidations. Decisions use
 * event time; a wall-clock punctuator drops state idle for 2·T, as GlusterFS's reaper does, whether or not records
 * arrive.
 */
public final class UpcallProcessor
    implements Processor<String, InodeEvent, String, SpecificRecord> {
  /** (gfid ‖ client uid) → last access second; no changelog: rebuilt from the {@link TrackingJournal}. */
  public static final String TRACKED_CLIENTS_STORE = "upcall-tracked-clients";

  /**
   * (last access second ‖ gfid ‖ client uid) → nothing: the eviction and expiry order, where the pairs are in RocksDB
   * (on the heap the order is a {@link HeapAccessOrder}, not a store).
   */
  public static final String ACCESS_ORDER_STORE = "upcall-tracked-access-order";

  /** gfid → a change still being told to the inode's tracked clients, and how far it got. */
  public static final String PENDING_FANOUTS_STORE = "upcall-pending-fanouts";

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

  /** The stores the processor reads and writes, where the tracked pairs are kept in {@code pairsStore}. */
  static String[] storesOf(TrackedPairsStore pairsStore) {
    List<String> stores =
        new ArrayList<>(
            List.of(
                TRACKED_CLIENTS_STORE,
                INODE_META_STORE,
                TX_IDS_STORE,
                PENDING_FANOUTS_STORE,
                InvalidationOutbox.STORE,
                TrackingJournal.STORE));
    if (pairsStore.keepsAccessOrderStore()) {
      stores.add(ACCESS_ORDER_STORE);
    }
    return stores.toArray(String[]::new);
  }

  private final Switches defaults;
  private final Duration expiryInterval;
  private final TrackingBound bound;
  private final TrackedPairsStore pairsStore;
  private final BatchSettings batching;
  private final InvalidationPartitions partitions;
  private final String invalidationsTopic;
  private final Serializer<Invalidation> encoder;
  private final Deserializer<Invalidation> decoder;

  private ProcessorContext<String, SpecificRecord> context;
  private Cancellable restoredFlush;
  private InvalidationWriter writer;
  private InodeDecision.Task task;
  private TrackedClients tracked;
  private Transactions transactions;
  private KeyValueStore<String, String> switches;
  private Sensor invalidations;

  UpcallProcessor(
      Switches defaults,
      Duration expiryInterval,
      TrackingBound bound,
      TrackedPairsStore pairsStore,
      BatchSettings batching,
      InvalidationPartitions partitions,
      String invalidationsTopic,
      Serializer<Invalidation> encoder,
      Deserializer<Invalidation> decoder) {
    this.defaults = defaults;
    this.expiryInterval = expiryInterval;
    this.bound = bound;
    this.pairsStore = pairsStore;
    this.batching = batching;
    this.partitions = partitions;
    this.invalidationsTopic = invalidationsTopic;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    switches = context.getStateStore(ConfigChangeProcessor.SWITCHES_STORE);
    invalidations =
        context
            .metrics()
            .addRateTotalSensor(
                FopValidator.METRICS_SCOPE,
                context.taskId().toString(),
                INVALIDATIONS_SENSOR,
                Sensor.RecordingLevel.INFO);
    InvalidationOutbox outbox =
        new InvalidationOutbox(
            context.getStateStore(InvalidationOutbox.STORE),
            partitions,
            batching,
            invalidationsTopic,
            encoder,
            decoder);
    // Batches a previous owner of this task left in the store are written at the next punctuation
    // (init forwards nothing).
    boolean restored = outbox.restore();
    writer =
        new InvalidationWriter(
            context,
            outbox,
            batching,
            context.getStateStore(XattrInterestProcessor.XATTR_INTEREST_STORE),
            invalidations,
            defaults.format());
    if (!batching.immediate()) {
      context.schedule(batching.maxDelay(), PunctuationType.WALL_CLOCK_TIME, writer::writeBatches);
    } else if (restored) {
      restoredFlush =
          context.schedule(
              ChunkedFanOut.RESUME_INTERVAL,
              PunctuationType.WALL_CLOCK_TIME,
              wallClockMs -> {
                writer.writeBatches(wallClockMs);
                restoredFlush.cancel();
              });
    }
    KeyValueStore<Bytes, InodeMeta> metaStore = context.getStateStore(INODE_META_STORE);
    KeyValueStore<Bytes, Long> txStore = context.getStateStore(TX_IDS_STORE);
    tracked =
        new TrackedClients(
            context.getStateStore(TRACKED_CLIENTS_STORE),
            pairsStore.accessOrder(() -> context.getStateStore(ACCESS_ORDER_STORE)),
            new TrackingJournal(context.getStateStore(TrackingJournal.STORE)),
            bound.perTask(),
            expiryCutoff(context.currentSystemTimeMs()));
    ChunkedFanOut fanOut =
        new ChunkedFanOut(
            context,
            tracked,
            writer,
            new PendingFanOuts(context.getStateStore(PENDING_FANOUTS_STORE)),
            this::endOfWork);
    task =
        new InodeDecision.Task(
            tracked,
            new LatestChanges(
                metaStore, new ExpirySweep<>(metaStore, SWEEP_BUDGET, System::nanoTime)),
            writer,
            fanOut);
    transactions =
        new Transactions(txStore, new ExpirySweep<>(txStore, SWEEP_BUDGET, System::nanoTime));
    context.schedule(expiryInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
    // Progress marks are written by ProgressMarkEmitter in this same task (so in the same
    // transactions), from brick heartbeats carried through the repartition; stream time here would
    // not cover idle upstream partitions.
  }

  @Override
  public void process(Record<String, InodeEvent> record) {
    Switches now = ConfigChangeProcessor.current(switches, defaults);
    writer.switchTo(now.format(), record.timestamp());
    if (!now.cacheInvalidation()) {
      return;
    }
    InodeEvent event = record.value();
    List<Gfid> listed =
        event.getRole() == InodeRole.LISTED_ENTRY ? event.getFop().getEntries() : List.of();
    if (listed.isEmpty()) {
      decide(Gfids.parse(record.key()), event, now.timeoutSeconds(), record.timestamp());
    } else {
      // The entries of one READDIRP that this task owns, in one event (PerInodeFanOut): each is its
      // own inode.
      for (Gfid entry : listed) {
        decide(entry, event, now.timeoutSeconds(), record.timestamp());
      }
    }
    endOfWork(record.timestamp());
  }

  private void decide(Gfid inode, InodeEvent event, int timeout, long outputTimestamp) {
    Effect effect = Effect.of(inode, event);
    if (effect instanceof Effect.None) {
      return;
    }
    FopRecord fop = event.getFop();
    byte[] gfid = inode.bytes();
    // An inode's events are decided in order: a change still being told goes first.
    task.fanOut().finish(gfid);
    if (fop.getTxId() != null
        && transactions.seenBefore(
            gfid, fop.getTxId(), fop.getBrick(), fop.getEventTimeMs(), timeout)) {
      return;
    }
    InodeDecision decision = new InodeDecision(task, gfid, timeout, outputTimestamp, fop);
    if (effect instanceof Effect.Touch) {
      decision.touch(fop.getClient(), fop.getEventTimeMs());
    } else if (effect instanceof Effect.Notify notify) {
      decision.notify(notify.change(), fop.getClient());
      if (notify.thenForget()) {
        decision.forget(InodeDecision.forgetting(notify.change()));
      }
    } else if (effect instanceof Effect.Forget forget) {
      decision.forget(forget.change());
    }
  }

  /**
   * Ends a record or punctuation: what it changed in the tracked pairs and the open batches is made durable before
   * Streams may commit (see {@link TrackingJournal} and {@link InvalidationOutbox}).
   */
  private void endOfWork(long timestamp) {
    tracked.persist();
    writer.endOfWork(timestamp);
  }

  /** Drops state idle for 2·T of wall-clock time: it can never be notified (or replayed, or matched) again. */
  private void expire(long wallClockMs) {
    long now = TrackingFreshness.second(wallClockMs);
    long horizon = 2L * ConfigChangeProcessor.current(switches, defaults).timeoutSeconds();
    tracked.expire(expiryCutoff(wallClockMs), SWEEP_BUDGET, System::nanoTime);
    tracked.persist();
    task.changes().expire(now, horizon);
    transactions.expire(now, horizon);
  }

  /** The second before which a tracked pair is idle for 2·T at {@code wallClockMs}. */
  private long expiryCutoff(long wallClockMs) {
    return TrackingFreshness.second(wallClockMs)
        - 2L * ConfigChangeProcessor.current(switches, defaults).timeoutSeconds();
  }

  @Override
  public void close() {
    context.metrics().removeSensor(invalidations);
  }
}
