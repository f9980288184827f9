package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.ConfigChange;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.XattrInterest;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** The production topology on a TopologyTestDriver, with the wall clock under the test's control. */
final class UpcallDriver implements AutoCloseable {
  static final UpcallTopics TOPICS = UpcallTopics.defaults();
  static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(1);

  private final TopologyTestDriver driver;
  private final TestInputTopic<String, FopRecord> fops;
  private final TestInputTopic<byte[], byte[]> rawFops;
  private final TestInputTopic<String, XattrInterest> xattrInterest;
  private final TestInputTopic<String, ConfigChange> config;
  private final TestOutputTopic<String, SpecificRecord> invalidations;
  private final TestInputTopic<String, SpecificRecord> heartbeats;
  private final TestOutputTopic<byte[], byte[]> deadLetters;
  private final File stateDir;
  private Instant wallClock;

  UpcallDriver(Switches defaults, Instant start) {
    this(defaults, start, 1);
  }

  /**
   * The topology as an app with {@code partitions} fop partitions builds it, run as its task 0: events for inodes
   * task 0 owns are processed in place, the others cross the repartition topic (which the driver feeds back).
   */
  UpcallDriver(Switches defaults, Instant start, int partitions) {
    this(defaults, start, partitions, Map.of());
  }

  /** As above, with Upcall options such as max-tracked-pairs in {@code configs}. */
  UpcallDriver(Switches defaults, Instant start, int partitions, Map<String, ?> configs) {
    this(defaults, start, partitions, configs, BatchSettings.IMMEDIATE);
  }

  /** As above, with batches held as {@code batching} says (the wall clock writes them). */
  UpcallDriver(
      Switches defaults,
      Instant start,
      int partitions,
      Map<String, ?> configs,
      BatchSettings batching) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "upcall-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    UpcallStreamsConfig.withQuietDefaults(props);
    try {
      stateDir = Files.createTempDirectory("upcall-ttd").toFile();
      props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    wallClock = start;
    UpcallStreamsConfig options = new UpcallStreamsConfig(configs);
    TopologySettings settings =
        new TopologySettings(
            TOPICS,
            defaults,
            EXPIRY_INTERVAL,
            options.progressMarks(partitions),
            options.trackingBound(partitions),
            options.trackedPairsStore(),
            batching,
            partitions,
            configs,
            props);
    driver = new TopologyTestDriver(UpcallTopology.build(settings), props, start);
    fops =
        driver.createInputTopic(
            TOPICS.fops(), new StringSerializer(), UpcallSerdes.fopRecord().serializer());
    rawFops =
        driver.createInputTopic(
            TOPICS.fops(), new ByteArraySerializer(), new ByteArraySerializer());
    heartbeats =
        driver.createInputTopic(
            TOPICS.fops(), new StringSerializer(), UpcallSerdes.fopsTopic().serializer());
    xattrInterest =
        driver.createInputTopic(
            TOPICS.xattrInterest(),
            new StringSerializer(),
            UpcallSerdes.xattrInterest().serializer());
    config =
        driver.createInputTopic(
            TOPICS.config(), new StringSerializer(), UpcallSerdes.configChange().serializer());
    invalidations =
        driver.createOutputTopic(
            TOPICS.invalidations(),
            new StringDeserializer(),
            UpcallSerdes.invalidationsTopic().deserializer());
    deadLetters =
        driver.createOutputTopic(
            TOPICS.fopsDlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  UpcallDriver(Switches defaults) {
    this(defaults, Instant.ofEpochMilli(Fops.T0));
  }

  /** Pipes {@code fop} keyed by its gfid, with its event time as the record timestamp. */
  void pipe(FopRecord fop) {
    fops.pipeInput(Gfids.format(fop.getGfid()), fop, fop.getEventTimeMs());
  }

  /** A heartbeat of {@code brick} at {@code eventTimeMs}: every fop it stamped before is published. */
  void heartbeat(String brick, long eventTimeMs) {
    heartbeats.pipeInput(
        "heartbeat", new BrickHeartbeat("vol", brick, eventTimeMs, 0L, false, 0L, 0L), eventTimeMs);
  }

  void pipeRaw(byte[] key, byte[] value) {
    rawFops.pipeInput(key, value, wallClock.toEpochMilli());
  }

  void register(String client, String... patterns) {
    xattrInterest.pipeInput(
        client, new XattrInterest(client, List.of(patterns), wallClock.toEpochMilli()));
  }

  void unregister(String client) {
    xattrInterest.pipeInput(client, null);
  }

  void set(String option, String value) {
    config.pipeInput(option, new ConfigChange(option, value, "test", wallClock.toEpochMilli()));
  }

  /** Moves the wall clock forward to {@code epochMs} (never back), firing due punctuations. */
  void advanceWallClockTo(long epochMs) {
    if (epochMs > wallClock.toEpochMilli()) {
      driver.advanceWallClockTime(Duration.ofMillis(epochMs - wallClock.toEpochMilli()));
      wallClock = Instant.ofEpochMilli(epochMs);
    }
  }

  /** Every record written to upcall.invalidations since the last call, as written. */
  List<TestRecord<String, SpecificRecord>> records() {
    return invalidations.readRecordsToList();
  }

  /** Every invalidation emitted since the last call. */
  List<Invalidation> invalidations() {
    return InvalidationBatches.perClient(
        invalidations.readValuesToList(),
        TOPICS.invalidations(),
        UpcallSerdes.invalidation().deserializer());
  }

  List<TestRecord<byte[], byte[]>> deadLetters() {
    return deadLetters.readRecordsToList();
  }

  <K, V> KeyValueStore<K, V> store(String name) {
    return driver.getKeyValueStore(name);
  }

  long storeSize(String name) {
    long count = 0;
    try (var all = store(name).all()) {
      while (all.hasNext()) {
        all.next();
        count++;
      }
    }
    return count;
  }

  /** The (gfid, client) pairs tracked, without the pairs store's note of the journal position. */
  long trackedPairs() {
    long count = 0;
    try (KeyValueIterator<Bytes, Long> all =
        this.<Bytes, Long>store(UpcallProcessor.TRACKED_CLIENTS_STORE).all()) {
      while (all.hasNext()) {
        if (TrackedClients.isPair(all.next().key)) {
          count++;
        }
      }
    }
    return count;
  }

  /** The clients tracked on {@code inode}, fresh or not, in uid order. */
  List<String> trackedOn(Gfid inode) {
    List<String> clients = new ArrayList<>();
    KeyValueStore<Bytes, Long> tracked = store(UpcallProcessor.TRACKED_CLIENTS_STORE);
    try (var entries = tracked.prefixScan(Bytes.wrap(inode.bytes()), new BytesSerializer())) {
      entries.forEachRemaining(entry -> clients.add(InodeKeys.suffixOf(entry.key)));
    }
    return clients;
  }

  TopologyTestDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    driver.close();
    // The driver empties its state dir but leaves the directory; a full run would leave a thousand
    // behind.
    try {
      Utils.delete(stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
