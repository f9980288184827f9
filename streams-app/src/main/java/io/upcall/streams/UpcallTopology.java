package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.ConfigChange;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.XattrInterest;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.schemas.serde.UpcallSerdeConfig;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The upcall topology: {@code upcall.fops} → validate (bad records → {@code upcall.fops.dlq}) → fan out per inode →
 * the upcall processor → {@code upcall.invalidations}, keyed by client uid; with the xattr interest and the runtime
 * switches as global stores. An inode event reaches the processor in the task that owns its gfid: at once when that
 * is the task that read the fop (a fop keyed by its own gfid), else through the inode repartition by gfid.
 */
public final class UpcallTopology {
  /** Name of the repartition step; Streams names its topic {@code <application.id>-inode-events-repartition}. */
  public static final String INODE_EVENTS = "inode-events";

  private UpcallTopology() {}

  /** The topology an {@link UpcallStreamsApp} runs: topics, switches, expiry and value serdes from {@code config}. */
  public static Topology build(UpcallStreamsConfig config) {
    return build(config, config.topicSettings().fopsPartitions());
  }

  /** The topology for a {@code upcall.fops} topic of {@code fopsPartitions} (as found at start). */
  public static Topology build(UpcallStreamsConfig config, int fopsPartitions) {
    return build(config.topologySettings(fopsPartitions));
  }

  /** The topology with the built-in serdes, as {@code upcall simulate} and the tests run it (one partition each). */
  public static Topology build(UpcallTopics topics, Switches defaults, Duration expiryInterval) {
    return build(topics, defaults, expiryInterval, BatchSettings.IMMEDIATE);
  }

  /** As {@link #build(UpcallTopics, Switches, Duration)}, with batches held as {@code batching} says. */
  static Topology build(
      UpcallTopics topics, Switches defaults, Duration expiryInterval, BatchSettings batching) {
    return build(TopologySettings.singlePartition(topics, defaults, expiryInterval, batching));
  }

  static Topology build(TopologySettings settings) {
    UpcallTopics topics = settings.topics();
    Switches defaults = settings.switches();
    Duration expiryInterval = settings.expiryInterval();
    ProgressMarks marks = settings.marks();
    TrackingBound bound = settings.bound();
    TrackedPairsStore pairsStore = settings.pairsStore();
    BatchSettings batching = settings.batching();
    Map<String, ?> configs = settings.serdeConfigs();
    Serde<SpecificRecord> fops =
        UpcallSerdeConfig.valueSerde(configs, "fops", UpcallSerdes.fopsTopic());
    Serde<InodeEvent> inodeEvents =
        UpcallSerdeConfig.valueSerde(configs, "inode-events", UpcallSerdes.inodeEvent());
    Serde<InodeMeta> inodeMeta =
        UpcallSerdeConfig.valueSerde(configs, "inode-meta", UpcallSerdes.inodeMeta());
    Serde<Invalidation> invalidations =
        UpcallSerdeConfig.valueSerde(configs, "invalidations", UpcallSerdes.invalidation());
    Serde<InvalidationBatch> invalidationBatches =
        UpcallSerdeConfig.valueSerde(
            configs, "invalidation-batches", UpcallSerdes.invalidationBatch());
    Serde<XattrInterest> xattrInterest =
        UpcallSerdeConfig.valueSerde(configs, "xattr-interest", UpcallSerdes.xattrInterest());
    Serde<ConfigChange> configChanges =
        UpcallSerdeConfig.valueSerde(configs, "config", UpcallSerdes.configChange());
    Serde<ProgressMark> progressMarks =
        UpcallSerdeConfig.valueSerde(configs, "progress-marks", UpcallSerdes.progressMark());
    Serde<UpcallEvent> upcallEvents =
        UpcallSerdeConfig.valueSerde(configs, "upcall-events", UpcallSerdes.upcallEvent());

    // The builder's own default config would warn about the global thread's exception handler at
    // every build.
    StreamsBuilder builder =
        new StreamsBuilder(new TopologyConfig(new StreamsConfig(settings.streamsProperties())));
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(XattrInterestProcessor.XATTR_INTEREST_STORE),
                Serdes.String(),
                xattrInterest)
            .withLoggingDisabled(),
        topics.xattrInterest(),
        Consumed.with(Serdes.String(), xattrInterest).withName("xattr-interest"),
        XattrInterestProcessor::new);
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ConfigChangeProcessor.SWITCHES_STORE),
                Serdes.String(),
                Serdes.String())
            .withLoggingDisabled(),
        topics.config(),
        Consumed.with(Serdes.String(), configChanges).withName("config"),
        ConfigChangeProcessor::new);
    // No record cache for the tracked clients and transaction ids: a touch writes a pair at most
    // once a second and a transaction id once, so there is nothing to coalesce, and the cache
    // doubled the cost of expiry's deletes. The tracked clients keep no changelog: they are rebuilt
    // from the journal when a task starts (in RocksDB or on the heap: tracked-pairs-store). A hot
    // inode's latest change is rewritten by every change: there the cache saves writes.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                pairsStore.supplier(UpcallProcessor.TRACKED_CLIENTS_STORE, InodeKeys.GFID_LENGTH),
                Serdes.Bytes(),
                Serdes.Long())
            .withLoggingDisabled());
    // The tracked pairs' changelog: the open segment is rewritten at every record that touches, and
    // the record cache turns that into one changelog record per commit (TrackingJournal).
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TrackingJournal.STORE),
                Serdes.Long(),
                Serdes.ByteArray())
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(UpcallProcessor.INODE_META_STORE),
                Serdes.Bytes(),
                inodeMeta)
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallProcessor.TX_IDS_STORE),
            Serdes.Bytes(),
            Serdes.Long()));
    // No record cache either: eviction and expiry range-scan it from the oldest entry, and a cached
    // store's range scan copies the cache's key set each time (measured: ~2 ms per eviction at 1 M
    // pairs, ~0.01 ms without). No changelog: it is an index of the tracked clients, rebuilt from
    // them when a task starts (TrackedClients). With the pairs on the heap the order is too, and
    // needs no store (HeapAccessOrder).
    if (pairsStore.keepsAccessOrderStore()) {
      builder.addStateStore(
          Stores.keyValueStoreBuilder(
                  Stores.persistentKeyValueStore(UpcallProcessor.ACCESS_ORDER_STORE),
                  Serdes.Bytes(),
                  Serdes.ByteArray())
              .withLoggingDisabled());
    }
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallProcessor.PENDING_FANOUTS_STORE),
            Serdes.Bytes(),
            Serdes.ByteArray()));
    // A few keys (one per invalidation partition), rewritten at every record that batches: the
    // record cache turns that into at most one changelog record per key and commit.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(InvalidationOutbox.STORE),
                Serdes.Bytes(),
                Serdes.ByteArray())
            .withCachingEnabled());
    InvalidationPartitions invalidationPartitions =
        new InvalidationPartitions(settings.invalidationsPartitions());

    Map<String, KStream<byte[], CheckedFop>> checked =
        builder.stream(
                topics.fops(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("fops"))
            .processValues(() -> new FopValidator(fops.deserializer()), Named.as("validate"))
            .split(Named.as("fops-"))
            .branch((key, fop) -> fop instanceof CheckedFop.Rejected, Branched.as("rejected"))
            .branch((key, fop) -> fop instanceof CheckedFop.Heartbeat, Branched.as("heartbeats"))
            .branch((key, fop) -> fop instanceof CheckedFop.Request, Branched.as("requests"))
            .defaultBranch(Branched.as("accepted"));

    checked
        .get("fops-rejected")
        .mapValues(fop -> ((CheckedFop.Rejected) fop).value(), Named.as("original-bytes"))
        .to(
            topics.fopsDlq(),
            Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dead-letters"));

    // Directed upcalls (lease recall, lock contention) are routed in the task of their gfid's fops
    // partition.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallRequestRouter.CONTENTION_NOTICES_STORE),
            Serdes.Bytes(),
            Serdes.Long()));
    checked
        .get("fops-requests")
        .mapValues(fop -> ((CheckedFop.Request) fop).request(), Named.as("upcall-requests"))
        .process(
            () -> new UpcallRequestRouter(defaults, expiryInterval),
            Named.as("route-upcall-requests"),
            UpcallRequestRouter.CONTENTION_NOTICES_STORE)
        .to(
            topics.invalidations(),
            Produced.with(Serdes.String(), upcallEvents).withName("upcall-events"));

    // Heartbeats ride the inode repartition topic itself: only one topic keeps progress behind the
    // events it covers.
    KStream<String, SpecificRecord> upstreamProgress =
        checked
            .get("fops-heartbeats")
            .process(
                () -> new UpstreamProgress(marks.brickTimeout()), Named.as("upstream-progress"));
    // An event for an inode this task owns is processed here at once; only the others cross the
    // repartition.
    int partitions = marks.fopsPartitions();
    Map<String, KStream<String, PerInodeFanOut.Routed>> routed =
        checked
            .get("fops-accepted")
            .process(() -> new PerInodeFanOut(partitions), Named.as("fan-out-per-inode"))
            .split(Named.as("inode-events-"))
            .branch((gfid, event) -> event.here(), Branched.as("here"))
            .defaultBranch(Branched.as("elsewhere"));
    Map<String, KStream<String, SpecificRecord>> inodeStream =
        routed
            .get("inode-events-elsewhere")
            .<SpecificRecord>mapValues(PerInodeFanOut.Routed::event, Named.as("to-owner"))
            .merge(upstreamProgress, Named.as("with-upstream-progress"))
            // As many partitions as upcall.fops, placed like Kafka places a gfid key: the owner of
            // partition p is the task that reads upcall.fops partition p, so both paths feed one
            // processor in one task.
            .repartition(
                Repartitioned.with(Serdes.String(), new InodeStreamSerde(inodeEvents))
                    .withStreamPartitioner(ProgressRouting.inodeEventsAndProgress())
                    .withNumberOfPartitions(partitions)
                    .withName(INODE_EVENTS))
            .split(Named.as("inode-stream-"))
            .branch((gfid, value) -> value instanceof BrickHeartbeat, Branched.as("progress"))
            .defaultBranch(Branched.as("events"));

    routed
        .get("inode-events-here")
        .mapValues(PerInodeFanOut.Routed::event, Named.as("owned-here"))
        .merge(
            inodeStream
                .get("inode-stream-events")
                .mapValues(value -> (InodeEvent) value, Named.as("inode-events")),
            Named.as("owned-events"))
        .process(
            () ->
                new UpcallProcessor(
                    defaults,
                    expiryInterval,
                    bound,
                    pairsStore,
                    batching,
                    invalidationPartitions,
                    topics.invalidations(),
                    invalidations.serializer(),
                    invalidations.deserializer()),
            Named.as("upcall"),
            UpcallProcessor.storesOf(pairsStore))
        .to(
            topics.invalidations(),
            Produced.with(
                    Serdes.String(),
                    Serdes.serdeFrom(
                        new InvalidationsTopicSerializer(
                            SharedChangeSerializer.of(invalidations),
                            invalidationBatches.serializer()),
                        UpcallSerdes.invalidationsTopic().deserializer()))
                .withStreamPartitioner(invalidationPartitions.partitioner())
                .withName("invalidations"));

    inodeStream
        .get("inode-stream-progress")
        .process(
            () -> new ProgressMarkEmitter(marks),
            Named.as("progress-marks"),
            UpcallProcessor.PENDING_FANOUTS_STORE,
            InvalidationOutbox.STORE)
        .to(
            topics.invalidations(),
            Produced.with(Serdes.String(), progressMarks)
                .withStreamPartitioner(ProgressRouting.everyPartition())
                .withName("marks-to-every-partition"));

    return builder.build();
  }
}
