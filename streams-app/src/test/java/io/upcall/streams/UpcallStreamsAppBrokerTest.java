package io.upcall.streams;

import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.xattr;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.ConfigChange;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.XattrInterest;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.ClientPartition;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The application on a real broker, with 4 partitions per topic: configure, produce, verify. */
class UpcallStreamsAppBrokerTest {
  private static final int PARTITIONS = 4;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Map<Gfid, String> NAMES = new ConcurrentHashMap<>();

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path stateDirs;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2})
  void aParentAndItsEntryOnDifferentPartitionsStillProduceTheRightInvalidations(String guarantee)
      throws Exception {
    UpcallTopics topics = kafka.uniqueTopics(PARTITIONS);
    Gfid dir = gfidOnPartition(0, "dir");
    Gfid file = gfidOnPartition(1, "file");
    Gfid created = gfidOnPartition(2, "created");
    long now = System.currentTimeMillis();

    try (UpcallStreamsApp app = start(topics, kafka.uniqueName("upcall"), guarantee, "a");
        KafkaProducer<String, FopRecord> fops = fopProducer();
        KafkaConsumer<String, SpecificRecord> invalidations = invalidationConsumer(topics)) {
      assertThat(app.awaitRunning(WAIT)).isTrue();
      send(fops, topics, fop(Fop.LOOKUP, "B", dir, now).build());
      send(fops, topics, fop(Fop.LOOKUP, "B", file, now).build());
      send(fops, topics, fop(Fop.CREATE, "A", created, now + 1_000).setParent(dir).build());
      send(
          fops, topics, fop(Fop.UNLINK, "A", file, now + 2_000).setParent(dir).setNlink(0).build());

      List<String> received = briefs(poll(invalidations, 5));
      assertThat(received)
          .containsExactlyInAnyOrder(
              "B dir TIMES",
              "B file NLINK|TIMES|PARENT_TIMES",
              "A file FORGET",
              "B file FORGET",
              "B dir TIMES");
    }
  }

  /**
   * With the pairs in RocksDB the second instance starts on a fresh state directory, as a new owner does; on the heap
   * it starts on the first one's directory, as a clean restart does, where the heap stores are empty all the same.
   * Either way the pairs come back from the tracking journal: restored from its changelog on the fresh directory,
   * found in place on the first one's.
   */
  @ParameterizedTest(name = "pairs in {0}, restarted on state dir {1}")
  @CsvSource({"rocksdb, second", "in-memory, first"})
  void aRestartedApplicationRestoresItsStateAndKeepsNotifyingClientsThatRegisteredBefore(
      String pairsStore, String restartedStateDir) throws Exception {
    Map<String, Object> settings =
        Map.of(
            UpcallStreamsConfig.TRACKED_PAIRS_STORE_CONFIG,
            pairsStore,
            UpcallStreamsConfig.MAX_TRACKED_PAIRS_CONFIG,
            100_000);
    UpcallTopics topics = kafka.uniqueTopics(PARTITIONS);
    String applicationId = kafka.uniqueName("upcall");
    Gfid file = gfidOnPartition(3, "file");
    long now = System.currentTimeMillis();

    try (KafkaProducer<String, FopRecord> fops = fopProducer();
        KafkaConsumer<String, SpecificRecord> invalidations = invalidationConsumer(topics)) {
      try (UpcallStreamsApp first =
          start(topics, applicationId, StreamsConfig.EXACTLY_ONCE_V2, "first", settings)) {
        assertThat(first.awaitRunning(WAIT)).isTrue();
        registerXattrs(topics, "B", "user.*");
        setOption(topics, Switches.CACHE_INVALIDATION_TIMEOUT, "30");
        send(fops, topics, fop(Fop.LOOKUP, "B", file, now).build());
        send(fops, topics, fop(Fop.WRITE, "A", file, now + 1_000).build());
        List<Invalidation> before = poll(invalidations, 1);
        assertThat(briefs(before)).containsExactly("B file SIZE|TIMES");
        assertThat(before.get(0).getExpireTimeSeconds()).isEqualTo(30);
      }

      // The tracked clients must come back from the journal's changelog, the switches and the
      // xattr interest from their topics.
      try (UpcallStreamsApp second =
          start(
              topics, applicationId, StreamsConfig.EXACTLY_ONCE_V2, restartedStateDir, settings)) {
        assertThat(second.awaitRunning(WAIT)).isTrue();
        send(
            fops,
            topics,
            fop(Fop.SETXATTR, "A", file, now + 2_000)
                .setXattrs(List.of(xattr("user.a", "1"), xattr("trusted.b", "2")))
                .build());
        List<Invalidation> after = poll(invalidations, 1);
        assertThat(briefs(after)).containsExactly("B file XATTR");
        assertThat(Fops.names(after.get(0))).containsExactly("user.a");
        assertThat(after.get(0).getExpireTimeSeconds()).isEqualTo(30);
      }
    }
  }

  @Test
  void aLargeFanOutUnderExactlyOnceIsReadableWithoutWaitingForTheCommitInterval() throws Exception {
    UpcallTopics topics = kafka.uniqueTopics(PARTITIONS);
    Gfid file = gfidOnPartition(0, "file");
    int readers = 2 * ChunkedFanOut.WRITE_AT_ONCE;
    long now = System.currentTimeMillis();

    try (UpcallStreamsApp app =
            start(
                topics,
                kafka.uniqueName("upcall"),
                StreamsConfig.EXACTLY_ONCE_V2,
                "a",
                Map.of(
                    StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                    120_000,
                    StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                    180_000));
        KafkaProducer<String, FopRecord> fops = fopProducer();
        KafkaConsumer<String, SpecificRecord> invalidations = invalidationConsumer(topics)) {
      assertThat(app.awaitRunning(WAIT)).isTrue();
      for (int i = 0; i < readers; i++) {
        FopRecord lookup = fop(Fop.LOOKUP, "reader-" + i, file, now).build();
        fops.send(new ProducerRecord<>(topics.fops(), null, now, Gfids.format(file), lookup));
      }
      send(fops, topics, fop(Fop.WRITE, "writer", file, now + 1_000).build());

      // The commit interval is two minutes: only a commit the fan-out asks for makes its batches
      // readable within the wait.
      List<Invalidation> received = poll(invalidations, readers);
      assertThat(received)
          .hasSize(readers)
          .allSatisfy(i -> assertThat(i.getGfid()).isEqualTo(file));
    }
  }

  private UpcallStreamsApp start(
      UpcallTopics topics, String applicationId, String guarantee, String stateDir) {
    return start(topics, applicationId, guarantee, stateDir, Map.of());
  }

  private UpcallStreamsApp start(
      UpcallTopics topics,
      String applicationId,
      String guarantee,
      String stateDir,
      Map<String, Object> streamsSettings) {
    Map<String, Object> props = new HashMap<>(streamsSettings);
    props.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(UpcallStreamsConfig.TOPIC_PREFIX_CONFIG, prefixOf(topics));
    props.put(TopicSettings.PARTITIONS_CONFIG, PARTITIONS);
    props.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    props.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDirs.resolve(stateDir).toString());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return UpcallStreamsApp.start(new UpcallStreamsConfig(props));
  }

  private static String prefixOf(UpcallTopics topics) {
    return topics
        .fops()
        .substring(0, topics.fops().length() - UpcallTopics.defaults().fops().length());
  }

  /**
   * A gfid whose key the default partitioner puts on {@code partition} (of the fop topic and of the repartition
   * topic alike), so the test decides which inodes share a task; {@code name} is how assertions show it.
   */
  private static Gfid gfidOnPartition(int partition, String name) {
    while (true) {
      Gfid gfid = Gfids.of(UUID.randomUUID());
      byte[] key = Gfids.format(gfid).getBytes(StandardCharsets.UTF_8);
      if (Utils.toPositive(Utils.murmur2(key)) % PARTITIONS == partition) {
        NAMES.put(gfid, name);
        return gfid;
      }
    }
  }

  private static List<String> briefs(List<Invalidation> invalidations) {
    return invalidations.stream()
        .map(
            i ->
                i.getClient()
                    + " "
                    + NAMES.get(i.getGfid())
                    + " "
                    + UpcallFlag.format(i.getFlags()))
        .toList();
  }

  private static KafkaProducer<String, FopRecord> fopProducer() {
    return new KafkaProducer<>(
        kafka.clientProperties(), new StringSerializer(), UpcallSerdes.fopRecord().serializer());
  }

  private static void send(
      KafkaProducer<String, FopRecord> producer, UpcallTopics topics, FopRecord fop)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topics.fops(), null, fop.getEventTimeMs(), Gfids.format(fop.getGfid()), fop))
        .get();
  }

  private static void registerXattrs(UpcallTopics topics, String client, String... patterns)
      throws Exception {
    try (KafkaProducer<String, XattrInterest> producer =
        new KafkaProducer<>(
            kafka.clientProperties(),
            new StringSerializer(),
            UpcallSerdes.xattrInterest().serializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.xattrInterest(),
                  client,
                  new XattrInterest(client, List.of(patterns), System.currentTimeMillis())))
          .get();
    }
  }

  private static void setOption(UpcallTopics topics, String option, String value) throws Exception {
    try (KafkaProducer<String, ConfigChange> producer =
        new KafkaProducer<>(
            kafka.clientProperties(),
            new StringSerializer(),
            UpcallSerdes.configChange().serializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.config(),
                  option,
                  new ConfigChange(option, value, "test", System.currentTimeMillis())))
          .get();
    }
  }

  private static KafkaConsumer<String, SpecificRecord> invalidationConsumer(UpcallTopics topics) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, SpecificRecord> consumer =
        new KafkaConsumer<>(
            props, new StringDeserializer(), UpcallSerdes.invalidationsTopic().deserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(topics.invalidations(), p));
    }
    consumer.assign(partitions);
    return consumer;
  }

  /** Polls until {@code count} invalidations arrived (then a little longer, to catch extras) or the wait ends. */
  private static List<Invalidation> poll(
      KafkaConsumer<String, SpecificRecord> consumer, int count) {
    List<Invalidation> received = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    long settleUntil = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, settleUntil)) {
      for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(100))) {
        if (record.value() instanceof Invalidation invalidation) {
          assertThat(record.key())
              .as("invalidations are keyed by client uid")
              .isEqualTo(invalidation.getClient());
        }
        List<Invalidation> carried =
            InvalidationBatches.perClient(
                record.value(), record.topic(), UpcallSerdes.invalidation().deserializer());
        assertThat(carried)
            .as("each in the partition its client reads")
            .allSatisfy(
                invalidation ->
                    assertThat(ClientPartition.of(invalidation.getClient(), PARTITIONS))
                        .isEqualTo(record.partition()));
        received.addAll(carried);
      }
      if (received.size() >= count && settleUntil == Long.MAX_VALUE) {
        settleUntil = System.nanoTime() + Duration.ofMillis(500).toNanos();
      }
    }
    return received;
  }
}
