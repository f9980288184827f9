package io.upcall.streams;

import io.upcall.avro.FopRecord;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The per-inode processor of one task on its real stores (RocksDB, as the app runs them, but without changelogs or
 * the record cache), fed fops directly, outside a topology and a broker: how the bench module measures what one fop
 * costs the processor, while the processor and its collaborators stay package-private. The app never uses it.
 */
public final class StandaloneProcessor implements AutoCloseable {
  private static final int INVALIDATION_PARTITIONS = 12;

  private final MockProcessorContext<String, SpecificRecord> context;
  private final UpcallProcessor processor;
  private final List<StateStore> stores = new ArrayList<>();

  private StandaloneProcessor(Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "standalone");
    props.put(
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
        "unused:9092"); // never contacted: the context is a mock
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    context = new MockProcessorContext<>(props, new TaskId(0, 0), stateDir.toFile());
    add(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallProcessor.TRACKED_CLIENTS_STORE),
            Serdes.Bytes(),
            Serdes.Long()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TrackingJournal.STORE),
            Serdes.Long(),
            Serdes.ByteArray()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallProcessor.INODE_META_STORE),
            Serdes.Bytes(),
            UpcallSerdes.inodeMeta()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallProcessor.TX_IDS_STORE),
            Serdes.Bytes(),
            Serdes.Long()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallProcessor.ACCESS_ORDER_STORE),
            Serdes.Bytes(),
            Serdes.ByteArray()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UpcallProcessor.PENDING_FANOUTS_STORE),
            Serdes.Bytes(),
            Serdes.ByteArray()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(InvalidationOutbox.STORE),
            Serdes.Bytes(),
            Serdes.ByteArray()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(XattrInterestProcessor.XATTR_INTEREST_STORE),
            Serdes.String(),
            UpcallSerdes.xattrInterest()));
    add(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(ConfigChangeProcessor.SWITCHES_STORE),
            Serdes.String(),
            Serdes.String()));
    processor =
        new UpcallProcessor(
            Switches.DEFAULTS,
            Duration.ofSeconds(1),
            new TrackingBound(TrackingBound.MAX_TRACKED_PAIRS_DEFAULT),
            TrackedPairsStore.ROCKSDB,
            BatchSettings.IMMEDIATE,
            new InvalidationPartitions(INVALIDATION_PARTITIONS),
            UpcallTopics.defaults().invalidations(),
            UpcallSerdes.invalidation().serializer(),
            UpcallSerdes.invalidation().deserializer());
    processor.init(context);
  }

  /**
   * A processor with default switches, the default tracking bound and batches written at the end of each fop, its
   * stores under {@code stateDir} (which the caller removes after {@link #close()}).
   */
  public static StandaloneProcessor open(Path stateDir) {
    return new StandaloneProcessor(stateDir);
  }

  /** Processes {@code fop} as the event of its target inode and returns how many records the processor wrote. */
  public int process(FopRecord fop) {
    processor.process(
        new Record<>(
            Gfids.format(fop.getGfid()),
            new InodeEvent(InodeRole.TARGET, fop, fop.getFopId()),
            fop.getEventTimeMs()));
    int written = context.forwarded().size();
    context.resetForwards();
    return written;
  }

  @Override
  public void close() {
    processor.close();
    stores.forEach(StateStore::close);
  }

  private void add(StoreBuilder<?> builder) {
    StateStore store = builder.withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    stores.add(store);
  }
}
