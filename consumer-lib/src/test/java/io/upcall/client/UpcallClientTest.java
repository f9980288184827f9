package io.upcall.client;

import static io.upcall.client.MetadataCacheTest.gfid;
import static io.upcall.client.MetadataCacheTest.invalidation;
import static io.upcall.client.MetadataCacheTest.stat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.XattrInterest;
import io.upcall.schemas.UpcallFlag;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's mechanics on a real broker, with a stand-in writing what the streams tasks write. */
class UpcallClientTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Gfid FILE = gfid(1);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static EmbeddedKafkaBroker broker;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private UpcallTopics topics;
  private StreamsTasksStandIn tasks;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.builder().build().start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @BeforeEach
  void createTopics() {
    topics = UpcallTopics.withPrefix("client-test-" + SEQUENCE.incrementAndGet() + ".");
    broker.createTopics(4, topics.invalidations());
    broker.createTopics(1, topics.xattrInterest());
    tasks = new StreamsTasksStandIn(broker.bootstrapServers(), topics.invalidations(), 2);
    resources.add(tasks);
  }

  @AfterEach
  void closeResources() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void becomesReadyOnlyOnceEveryTaskHasMarkedSinceItsPositionWasFixed() throws Exception {
    UpcallClient client = start(builder("client-b"));
    Eventually.within(WAIT, "position fixed", () -> client.metrics().partition() >= 0);

    Eventually.never(
        Duration.ofMillis(300), "ready before any mark", () -> client.ready().isDone());
    assertThat(client.cache().isFresh()).isFalse();

    tasks.markAll(System.currentTimeMillis());

    assertThat(client.awaitReady(WAIT)).isTrue();
    assertThat(client.cache().isFresh()).isTrue();
    assertThat(client.metrics().partition())
        .isEqualTo(InvalidationReader.partitionOf("client-b", 4));
  }

  @Test
  void appliesItsOwnInvalidationsTellsTheListenerAndSkipsOthersSharingItsPartition()
      throws Exception {
    List<Invalidation> seen = new CopyOnWriteArrayList<>();
    UpcallClient client = startReady(builder("client-b").listener(seen::add));
    String neighbour = uidOnPartition(client.metrics().partition(), "neighbour");
    fill(client, FILE, 100);

    tasks.invalidate(
        invalidation(FILE, UpcallFlag.FORGET).setClient(neighbour).build(),
        invalidation(FILE, UpcallFlag.SIZE, UpcallFlag.TIMES)
            .setClient("client-b")
            .setStat(stat(11, 200))
            .build());

    Eventually.within(
        WAIT, "the listener hears of client-b's invalidation", () -> seen.size() == 1);
    assertThat(seen.get(0).getClient()).isEqualTo("client-b");
    assertThat(client.cache().stat(FILE))
        .hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(200));
    Eventually.within(
        WAIT,
        "the neighbour's invalidation is skipped",
        () -> client.metrics().othersSkipped() == 1);
    assertThat(client.metrics().marks()).isPositive();
    assertThat(seen).hasSize(1); // marks never reach the listener
  }

  @Test
  void keepsReadingWhenTheListenerThrows() throws Exception {
    List<Invalidation> seen = new CopyOnWriteArrayList<>();
    UpcallClient client =
        startReady(
            builder("client-b")
                .listener(
                    invalidation -> {
                      seen.add(invalidation);
                      if (seen.size() == 1) {
                        throw new IllegalStateException("listener bug");
                      }
                    }));
    fill(client, FILE, 100);

    tasks.invalidate(invalidation(gfid(7), UpcallFlag.SIZE).setClient("client-b").build());
    tasks.invalidate(invalidation(FILE, UpcallFlag.FORGET).setClient("client-b").build());

    // The listener runs after the cache applied an invalidation: wait for both.
    Eventually.within(
        WAIT,
        "the second invalidation is applied and heard",
        () -> client.cache().stat(FILE).isEmpty() && seen.size() == 2);
    assertThat(seen).hasSize(2);
    assertThat(client.metrics().listenerFailures()).isEqualTo(1);
  }

  @Test
  void appliesNothingBeforeTheStreamsTransactionCommits() throws Exception {
    List<Invalidation> seen = new CopyOnWriteArrayList<>();
    UpcallClient client = startReady(builder("client-b").listener(seen::add));
    fill(client, FILE, 100);
    tasks.stopMarking();

    Runnable commit =
        tasks.invalidateUncommitted(
            invalidation(FILE, UpcallFlag.FORGET).setClient("client-b").build());
    Eventually.never(
        Duration.ofMillis(500), "an uncommitted invalidation is read", () -> !seen.isEmpty());
    commit.run();

    Eventually.within(WAIT, "the committed invalidation is read", () -> seen.size() == 1);
    assertThat(client.cache().stats().size()).isZero();
  }

  @Test
  void servesMissesOnceTheMarksFallBehindTheBoundAndServesAgainWhenTheyCatchUp() throws Exception {
    UpcallClient client = startReady(builder("client-b").stalenessBound(Duration.ofSeconds(1)));
    fill(client, FILE, 100);
    assertThat(client.cache().stat(FILE)).isPresent();

    tasks.stopMarking();
    Duration stale =
        Eventually.within(WAIT, "misses once stale", () -> client.cache().stat(FILE).isEmpty());
    assertThat(stale).isLessThan(Duration.ofMillis(1_500));
    assertThat(client.cache().stats().unfreshMisses()).isPositive();

    tasks.keepMarking(Duration.ofMillis(100), Duration.ofMillis(200));
    Eventually.within(WAIT, "hits once fresh again", () -> client.cache().stat(FILE).isPresent());
    assertThat(client.metrics().positionLosses()).isZero();
  }

  @Test
  void dropsEverythingAndMovesWhenThePartitionCountChanges() throws Exception {
    String uid = uidMovingWhenPartitionsGrow(4, 8);
    UpcallClient client = startReady(builder(uid));
    fill(client, FILE, 100);
    FetchToken inFlight = client.cache().beginFetch(gfid(2));

    try (Admin admin = Admin.create(broker.adminProperties())) {
      admin
          .createPartitions(Map.of(topics.invalidations(), NewPartitions.increaseTo(8)))
          .all()
          .get();
    }

    Eventually.within(WAIT, "the position is lost", () -> client.metrics().positionLosses() == 1);
    assertThat(client.cache().putStat(inFlight, stat(10, 1))).isFalse();
    Eventually.within(
        WAIT,
        "reading the new partition, fresh",
        () ->
            client.metrics().partition() == InvalidationReader.partitionOf(uid, 8)
                && client.cache().isFresh());
    assertThat(client.cache().stat(FILE)).isEmpty();

    fill(client, FILE, 300);
    tasks.invalidate(invalidation(FILE, UpcallFlag.FORGET).setClient(uid).build());
    Eventually.within(
        WAIT,
        "invalidations arrive on the new partition",
        () -> client.cache().stat(FILE).isEmpty());
  }

  @Test
  void dropsEverythingWhenTheInvalidationTopicIsRecreated() throws Exception {
    UpcallClient client = startReady(builder("client-b"));
    fill(client, FILE, 100);
    tasks.stopMarking();

    try (Admin admin = Admin.create(broker.adminProperties())) {
      admin.deleteTopics(List.of(topics.invalidations())).all().get();
      Eventually.within(
          WAIT, "the topic is gone", () -> !topicExists(admin, topics.invalidations()));
      Eventually.within(
          WAIT,
          "the topic recreated with 4 partitions",
          () -> recreated(admin, topics.invalidations(), 4));
    }

    Eventually.within(WAIT, "the position is lost", () -> client.metrics().positionLosses() >= 1);
    assertThat(client.cache().stat(FILE)).isEmpty();
    tasks.keepMarking(Duration.ofMillis(100), Duration.ofMillis(200));
    Eventually.within(WAIT, "fresh again on the new topic", () -> client.cache().isFresh());
    assertThat(client.cache().stat(FILE)).isEmpty();
  }

  @Test
  void registersItsXattrPatternsReplacesThemAndWithdrawsThemOnClose() throws Exception {
    UpcallClient client = startReady(builder("client-b").xattrPatterns(List.of("user.*")));
    client.setXattrPatterns(List.of("security.selinux")).get();
    client.close();

    List<ConsumerRecord<String, XattrInterest>> registrations = readAll(topics.xattrInterest(), 3);
    assertThat(registrations).extracting(ConsumerRecord::key).containsOnly("client-b");
    assertThat(registrations.get(0).value().getPatterns()).containsExactly("user.*");
    assertThat(registrations.get(1).value().getPatterns()).containsExactly("security.selinux");
    assertThat(registrations.get(2).value()).isNull();
  }

  @Test
  void cachesOnlyTheXattrsItRegisteredFor() throws Exception {
    UpcallClient client = startReady(builder("client-b").xattrPatterns(List.of("user.*")));
    FetchToken token = client.cache().beginFetch(FILE);
    client
        .cache()
        .putXattrs(
            token,
            Map.of(
                "user.a",
                MetadataCacheTest.bytes("1"),
                "security.selinux",
                MetadataCacheTest.bytes("ctx")));

    assertThat(client.cache().xattr(FILE, "user.a")).isPresent();
    assertThat(client.cache().xattr(FILE, "security.selinux")).isEmpty();
  }

  @Test
  void refusesAConsumerGroupNamingTheProperty() {
    assertThatThrownBy(
            () -> builder("client-b").kafkaProperty(ConsumerConfig.GROUP_ID_CONFIG, "g").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("group.id");
  }

  @Test
  void aCacheIsKeptByOneClientOnly() {
    MetadataCache shared = MetadataCache.builder().build();
    start(builder("client-a").cache(shared));

    assertThatThrownBy(() -> builder("client-b").cache(shared).build())
        .isInstanceOf(IllegalStateException.class);
  }

  // ---- helpers

  private UpcallClient.Builder builder(String uid) {
    return UpcallClient.builder()
        .bootstrapServers(broker.bootstrapServers())
        .uid(uid)
        .topics(topics)
        .cache(MetadataCache.builder().build());
  }

  private UpcallClient start(UpcallClient.Builder builder) {
    UpcallClient client = builder.build();
    resources.add(client);
    return client;
  }

  private UpcallClient startReady(UpcallClient.Builder builder) throws InterruptedException {
    UpcallClient client = start(builder);
    tasks.keepMarking(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(client.awaitReady(WAIT)).as("ready").isTrue();
    Eventually.within(WAIT, "fresh", () -> client.cache().isFresh());
    return client;
  }

  private static void fill(UpcallClient client, Gfid gfid, long size) {
    FetchToken token = client.cache().beginFetch(gfid);
    assertThat(client.cache().putStat(token, stat(10, size))).isTrue();
  }

  private static String uidOnPartition(int partition, String prefix) {
    for (int i = 0; ; i++) {
      String uid = prefix + "-" + i;
      if (InvalidationReader.partitionOf(uid, 4) == partition) {
        return uid;
      }
    }
  }

  private static String uidMovingWhenPartitionsGrow(int before, int after) {
    for (int i = 0; ; i++) {
      String uid = "mover-" + i;
      if (InvalidationReader.partitionOf(uid, before)
          != InvalidationReader.partitionOf(uid, after)) {
        return uid;
      }
    }
  }

  /**
   * Creates {@code topic} with {@code partitions}; false to try again when it is still being deleted or a producer's
   * metadata refresh auto-created it first with another count (then it is deleted again).
   */
  private static boolean recreated(Admin admin, String topic, int partitions) {
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      return true;
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(e);
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    try {
      int found =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      if (found == partitions) {
        return true;
      }
      admin.deleteTopics(List.of(topic)).all().get();
    } catch (InterruptedException | ExecutionException e) {
      // not visible yet, or already being deleted: the next try sees
    }
    return false;
  }

  private static boolean topicExists(Admin admin, String topic) {
    try {
      return admin.listTopics().names().get().contains(topic);
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<ConsumerRecord<String, XattrInterest>> readAll(String topic, int expected) {
    List<ConsumerRecord<String, XattrInterest>> records = new ArrayList<>();
    try (KafkaConsumer<String, XattrInterest> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader-" + UUID.randomUUID()),
            new StringDeserializer(),
            UpcallSerdes.xattrInterest().deserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
      Eventually.within(
          WAIT,
          expected + " records in " + topic,
          () -> {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            return records.size() >= expected;
          });
    }
    return records;
  }
}
