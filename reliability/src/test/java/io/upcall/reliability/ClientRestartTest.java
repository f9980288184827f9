package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.client.FetchToken;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.ClientPartition;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client goes away under continuous load while another client changes the files it cached, and comes back with
 * the same uid. UpcallClient keeps no durable position: it reads from the end of its partition and drops its cache
 * when it positions, so it comes back empty and serves nothing until the progress marks prove it fresh. A process
 * that dies loses its in-memory cache with it; the case that could go wrong is an application that keeps its
 * {@link MetadataCache} object and attaches it to a new client, and that one is tested here.
 */
@Tag("slow")
class ClientRestartTest {
  private static final Duration READY = Duration.ofSeconds(60);

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir static Path stateDir;

  private static UpcallTopics topics;
  private static UpcallStreamsApp app;
  private static SteadyLoad load;
  private static Probe probe;

  @BeforeAll
  static void startPipelineUnderLoad() throws Exception {
    topics = kafka.uniqueTopics();
    app =
        UpcallStreamsApp.start(
            new UpcallStreamsConfig(
                StreamsSettings.of(
                    kafka.bootstrapServers(),
                    kafka.uniqueName("client-restart"),
                    topics,
                    StreamsConfig.EXACTLY_ONCE_V2,
                    stateDir)));
    assertThat(app.awaitRunning(READY)).isTrue();
    load = SteadyLoad.start(SteadyLoad.smallVolume(41).build(), 500, false, () -> publisher());
    probe = new Probe(publisher().volume("vol").brick("probe-brick").build());
  }

  @AfterAll
  static void stopPipeline() throws InterruptedException {
    probe.close();
    load.close();
    app.close();
  }

  @Test
  void aRestartedClientKeepingItsCacheServesNothingCachedBeforeAndHearsOfChangesAfterwards(
      TestReporter reporter) throws Exception {
    String uid = "restarting-" + UUID.randomUUID();
    String writer = "writer-" + UUID.randomUUID();
    Gfid file = Gfids.of(UUID.randomUUID());
    MetadataCache cache = MetadataCache.builder().build();
    try (UpcallClient before = client(uid, cache)) {
      cacheThroughTheServer(before, file, 1_000);
      assertThat(cache.stat(file)).map(Iatt::getSize).contains(1_000L);
    } // the client is gone: nobody reads its partition, nothing it could learn is applied

    Probe.Published whileAway = probe.write(writer, file, 2_000);
    awaitCommittedInvalidation(
        uid, whileAway.fopId()); // so the restarted client positions after it
    assertThat(cache.isFresh()).as("a detached cache proves nothing").isFalse();
    assertThat(cache.stat(file)).as("served while detached").isEmpty();

    Set<String> heard = ConcurrentHashMap.newKeySet();
    long freshBeforeReady;
    try (UpcallClient after =
        UpcallClient.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .topics(topics)
            .uid(uid)
            .cache(cache)
            .listener(told -> heard.add(told.getCauseFopId()))
            .build()) {
      freshBeforeReady = after.ready().isDone() ? 1 : 0;
      assertThat(after.awaitReady(READY)).isTrue();
      Eventually.within(READY, "fresh again", cache::isFresh);
      assertThat(cache.stat(file))
          .as("the stat cached before the restart, changed while away")
          .isEmpty();
      assertThat(heard)
          .as("a change committed while away is not replayed: the client reads from the end")
          .doesNotContain(whileAway.fopId());

      cacheThroughTheServer(after, file, 2_000);
      Probe.Published afterRestart = probe.write(writer, file, 3_000);
      Eventually.within(
          Duration.ofSeconds(30),
          "the restarted client hears of a change made after it is ready",
          () -> heard.contains(afterRestart.fopId()));
      // Served only while the client can prove itself fresh: on a loaded machine a progress mark
      // may come late.
      Eventually.within(
          Duration.ofSeconds(30),
          "the changed stat served",
          () -> cache.stat(file),
          stat -> stat.map(Iatt::getSize).equals(Optional.of(3_000L)));
      reporter.publishEntry(
          String.format(
              "client restart: the kept cache was emptied at positioning, fresh again "
                  + "after ready; changes after ready heard (%d invalidations)",
              after.metrics().invalidations()));
    }
    assertThat(freshBeforeReady).isZero();
  }

  @Test
  void aClientRestartedInANewProcessStartsEmptyAndServesOnlyOnceProvenFresh() throws Exception {
    String uid = "reborn-" + UUID.randomUUID();
    Gfid file = Gfids.of(UUID.randomUUID());
    try (UpcallClient before = client(uid, MetadataCache.builder().build())) {
      cacheThroughTheServer(before, file, 1_000);
    }
    MetadataCache fresh = MetadataCache.builder().build();
    try (UpcallClient after =
        UpcallClient.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .topics(topics)
            .uid(uid)
            .cache(fresh)
            .build()) {
      assertThat(fresh.stats().size()).as("entries in a new process's cache").isZero();
      assertThat(fresh.isFresh()).as("fresh before any progress mark was read").isFalse();
      FetchToken early = fresh.beginFetch(file);
      fresh.putStat(early, Probe.stat(1, 1_000));
      assertThat(fresh.stat(file)).as("served before the marks prove it fresh").isEmpty();
      assertThat(after.awaitReady(READY)).isTrue();
      assertThat(fresh.stat(file)).as("a fill begun before ready is dropped").isEmpty();
    }
  }

  private static UpcallClient client(String uid, MetadataCache cache) throws Exception {
    UpcallClient client =
        UpcallClient.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .topics(topics)
            .uid(uid)
            .cache(cache)
            .build();
    assertThat(client.awaitReady(READY)).isTrue();
    Eventually.within(READY, "fresh", cache::isFresh);
    return client;
  }

  /** A lookup through the brick (the client is tracked from then on), cached with the fetch protocol. */
  private static void cacheThroughTheServer(UpcallClient client, Gfid file, long size) {
    FetchToken token = client.cache().beginFetch(file);
    probe.stat(client.uid(), file).join();
    assertThat(client.cache().putStat(token, Probe.stat(System.currentTimeMillis() / 1000, size)))
        .isTrue();
  }

  /** Waits until the invalidation {@code fopId} caused for {@code uid} is committed in the client's partition. */
  private static void awaitCommittedInvalidation(String uid, String fopId) {
    Map<String, Object> config = kafka.clientProperties();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, SpecificRecord> consumer =
        new KafkaConsumer<>(
            config, new StringDeserializer(), UpcallSerdes.invalidationsTopic().deserializer())) {
      int partitions = consumer.partitionsFor(topics.invalidations()).size();
      TopicPartition partition =
          new TopicPartition(topics.invalidations(), ClientPartition.of(uid, partitions));
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      Set<String> causes = new HashSet<>();
      Eventually.within(
          Duration.ofSeconds(30),
          "the invalidation of " + fopId + " committed",
          () -> {
            for (ConsumerRecord<String, SpecificRecord> record :
                consumer.poll(Duration.ofMillis(100))) {
              for (Invalidation invalidation :
                  InvalidationBatches.perClient(
                      record.value(), record.topic(), UpcallSerdes.invalidation().deserializer())) {
                if (uid.equals(invalidation.getClient())) {
                  causes.add(invalidation.getCauseFopId());
                }
              }
            }
            return causes.contains(fopId);
          });
    }
  }

  private static BrickPublisher.Builder publisher() {
    return BrickPublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .topics(topics)
        .heartbeatInterval(Duration.ofMillis(100));
  }
}
