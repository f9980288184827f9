package io.upcall.streams;

import io.upcall.avro.ConfigChange;
import io.upcall.avro.Invalidation;
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
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The upcall topology: {@code upcall.fops} → validate (bad records → {@code upcall.fops.dlq}) → fan out per inode →
 * repartition by gfid → the upcall processor → {@code upcall.invalidations}, keyed by client uid; with the xattr
 * interest and the runtime switches as global stores.
 */
public final class UpcallTopology {
  /** Name of the repartition step; Streams names its topic {@code <application.id>-inode-events-repartition}. */
  public static final String INODE_EVENTS = "inode-events";

  private UpcallTopology() {}

  /** The topology an {@link UpcallStreamsApp} runs: topics, switches, expiry and value serdes from {@code config}. */
  public static Topology build(UpcallStreamsConfig config) {
    return build(config.topics(), config.switches(), config.expiryInterval(), config.originals());
  }

  /** The topology with the built-in serdes, as {@code upcall simulate} and the tests run it. */
  public static Topology build(UpcallTopics topics, Switches defaults, Duration expiryInterval) {
    return build(topics, defaults, expiryInterval, Map.of());
  }

  static Topology build(UpcallTopics topics, Switches defaults, Duration expiryInterval, Map<String, ?> configs) {
    Serde<SpecificRecord> fops = UpcallSerdeConfig.valueSerde(configs, "fops", UpcallSerdes.fopsTopic());
    Serde<InodeEvent> inodeEvents = UpcallSerdeConfig.valueSerde(configs, "inode-events", UpcallSerdes.inodeEvent());
    Serde<InodeMeta> inodeMeta = UpcallSerdeConfig.valueSerde(configs, "inode-meta", UpcallSerdes.inodeMeta());
    Serde<Invalidation> invalidations =
        UpcallSerdeConfig.valueSerde(configs, "invalidations", UpcallSerdes.invalidation());
    Serde<XattrInterest> xattrInterest =
        UpcallSerdeConfig.valueSerde(configs, "xattr-interest", UpcallSerdes.xattrInterest());
    Serde<ConfigChange> configChanges = UpcallSerdeConfig.valueSerde(configs, "config", UpcallSerdes.configChange());

    StreamsBuilder builder = new StreamsBuilder();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(XattrInterestProcessor.XATTR_INTEREST_STORE),
            Serdes.String(), xattrInterest).withLoggingDisabled(),
        topics.xattrInterest(), Consumed.with(Serdes.String(), xattrInterest).withName("xattr-interest"),
        XattrInterestProcessor::new);
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ConfigChangeProcessor.SWITCHES_STORE),
            Serdes.String(), Serdes.String()).withLoggingDisabled(),
        topics.config(), Consumed.with(Serdes.String(), configChanges).withName("config"),
        ConfigChangeProcessor::new);
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(UpcallProcessor.TRACKED_CLIENTS_STORE), Serdes.Bytes(), Serdes.Long())
        .withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(UpcallProcessor.INODE_META_STORE), Serdes.Bytes(), inodeMeta)
        .withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(UpcallProcessor.TX_IDS_STORE), Serdes.Bytes(), Serdes.Long())
        .withCachingEnabled());

    Map<String, KStream<byte[], CheckedFop>> checked = builder
        .stream(topics.fops(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("fops"))
        .processValues(() -> new FopValidator(fops.deserializer()), Named.as("validate"))
        .split(Named.as("fops-"))
        .branch((key, fop) -> fop instanceof CheckedFop.Rejected, Branched.as("rejected"))
        .defaultBranch(Branched.as("accepted"));

    checked.get("fops-rejected")
        .mapValues(fop -> ((CheckedFop.Rejected) fop).value(), Named.as("original-bytes"))
        .to(topics.fopsDlq(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dead-letters"));

    checked.get("fops-accepted")
        .flatMap(PerInodeFanOut::events, Named.as("fan-out-per-inode"))
        .repartition(Repartitioned.with(Serdes.String(), inodeEvents).withName(INODE_EVENTS))
        .process(() -> new UpcallProcessor(defaults, expiryInterval), Named.as("upcall"),
            UpcallProcessor.TRACKED_CLIENTS_STORE, UpcallProcessor.INODE_META_STORE, UpcallProcessor.TX_IDS_STORE)
        .to(topics.invalidations(), Produced.with(Serdes.String(), invalidations).withName("invalidations"));

    return builder.build();
  }
}
