package io.upcall.producers;

import static io.upcall.producers.TestFops.BRICK;
import static io.upcall.producers.TestFops.T0;
import static io.upcall.producers.TestFops.VOLUME;
import static io.upcall.producers.TestFops.gfid;
import static io.upcall.producers.TestFops.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BrickPublisherTest {
  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  private BrickPublisher.Builder publisher(UpcallTopics topics) {
    return BrickPublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .volume(VOLUME)
        .brick(BRICK)
        .topics(topics)
        .heartbeatInterval(Duration.ZERO);
  }

  @Test
  void perGfidOrderHoldsAcrossManyPublishingThreads() throws Exception {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    int threads = 8;
    int gfidsPerThread = 40;
    int sequenceLength = 200;
    try (BrickPublisher publisher = publisher(topics).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<CompletableFuture<RecordMetadata>>>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t * gfidsPerThread;
        // Each thread owns its gfids, as a brick's per-inode lock serialises an inode's fops.
        work.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
                  for (int seq = 0; seq < sequenceLength; seq++) {
                    for (int g = first; g < first + gfidsPerThread; g++) {
                      acks.add(publisher.publish(write(gfid(g), T0 + seq, g + "#" + seq)));
                    }
                  }
                  return acks;
                }));
      }
      for (Future<List<CompletableFuture<RecordMetadata>>> w : work) {
        w.get(60, TimeUnit.SECONDS).forEach(CompletableFuture::join);
      }
      pool.shutdown();
      PublisherMetrics metrics = publisher.metrics();
      assertThat(metrics.sent()).isEqualTo((long) threads * gfidsPerThread * sequenceLength);
      assertThat(metrics.failed()).isZero();
      assertThat(metrics.inFlight()).isZero();
      assertThat(metrics.sendLatencyP50()).isPositive();
      assertThat(metrics.sendLatencyP99()).isGreaterThanOrEqualTo(metrics.sendLatencyP50());
    }

    Map<Integer, List<Integer>> sequences = new HashMap<>();
    for (ConsumerRecord<String, SpecificRecord> record :
        FopsTopic.readAll(kafka.bootstrapServers(), topics.fops())) {
      String[] id = ((FopRecord) record.value()).getFopId().split("#");
      sequences
          .computeIfAbsent(Integer.parseInt(id[0]), g -> new ArrayList<>())
          .add(Integer.parseInt(id[1]));
    }
    assertThat(sequences).hasSize(threads * gfidsPerThread);
    List<Integer> expected = IntStream.range(0, sequenceLength).boxed().toList();
    sequences.forEach((g, seen) -> assertThat(seen).as("gfid %d", g).isEqualTo(expected));
  }

  @Test
  void recordBreakingTheContractIsRefusedAtTheCallNamingTheField() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    try (BrickPublisher publisher = publisher(topics).build()) {
      FopRecord rename = write(gfid(1), T0, "r1");
      rename.setFop(Fop.RENAME);
      rename.setParent(gfid(2));
      assertThatThrownBy(() -> publisher.publish(rename))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("newParent");

      FopRecord noGfid = write(gfid(1), T0, "r2");
      noGfid.setGfid(null);
      assertThatThrownBy(() -> publisher.publish(noGfid))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gfid");

      FopRecord otherBrick = write(gfid(1), T0, "r3");
      otherBrick.setBrick("server9:/bricks/vol0/brick9");
      assertThatThrownBy(() -> publisher.publish(otherBrick))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("brick 'server9:/bricks/vol0/brick9'");

      FopRecord otherVolume = write(gfid(1), T0, "r4");
      otherVolume.setVolume("vol9");
      assertThatThrownBy(() -> publisher.publish(otherVolume))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("volume 'vol9'");

      PublisherMetrics metrics = publisher.metrics();
      assertThat(metrics.refused()).isEqualTo(4);
      assertThat(metrics.sent() + metrics.failed() + metrics.inFlight()).isZero();
    }
    assertThat(FopsTopic.readAll(kafka.bootstrapServers(), topics.fops())).isEmpty();
  }

  @Test
  void emptyVolumeBrickAndEventTimeAreFilledByThePublisher() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    FopRecord bare = write(gfid(7), 0, "bare");
    bare.setVolume("");
    bare.setBrick("");
    Clock clock = Clock.fixed(Instant.ofEpochMilli(T0 + 42), ZoneOffset.UTC);
    try (BrickPublisher publisher = publisher(topics).clock(clock).build()) {
      publisher.publish(bare).join();
    }
    assertThat(bare.getVolume()).as("the caller's record is left alone").isEmpty();
    FopRecord read =
        (FopRecord) FopsTopic.readAll(kafka.bootstrapServers(), topics.fops()).get(0).value();
    assertThat(read.getVolume()).isEqualTo(VOLUME);
    assertThat(read.getBrick()).isEqualTo(BRICK);
    assertThat(read.getEventTimeMs()).isEqualTo(T0 + 42);
  }

  @Test
  void heartbeatsReachEveryPartitionStampedWithTheBrickClock() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
    Set<Integer> partitionsWithBeat = new HashSet<>();
    try (BrickPublisher publisher =
        publisher(topics)
            .clock(clock)
            .heartbeatInterval(Duration.ofMillis(20))
            .maxBlock(Duration.ofSeconds(2))
            .deliveryTimeout(Duration.ofSeconds(7))
            .build()) {
      List<ConsumerRecord<String, SpecificRecord>> read =
          FopsTopic.readUntil(
              kafka.bootstrapServers(),
              topics.fops(),
              records -> records.stream().map(ConsumerRecord::partition).distinct().count() == 4,
              Duration.ofSeconds(30));
      for (ConsumerRecord<String, SpecificRecord> record : read) {
        BrickHeartbeat beat = (BrickHeartbeat) record.value();
        assertThat(record.key()).isEqualTo(BRICK);
        assertThat(beat.getVolume()).isEqualTo(VOLUME);
        assertThat(beat.getBrick()).isEqualTo(BRICK);
        assertThat(beat.getEventTimeMs()).isEqualTo(T0);
        assertThat(record.timestamp()).isEqualTo(T0);
        // v3: how long the app need wait for this brick when it falls silent (max block + delivery
        // timeout).
        assertThat(beat.getDeliveryTimeoutMs()).isEqualTo(9_000);
        assertThat(beat.getHeartbeatIntervalMs()).isEqualTo(20);
        partitionsWithBeat.add(record.partition());
      }
      assertThat(publisher.metrics().heartbeats()).isGreaterThanOrEqualTo(4);
    }
    assertThat(partitionsWithBeat).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void closingSaysFarewellInEveryPartitionBehindEveryRecordAndNothingFollowsIt() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    try (BrickPublisher publisher =
        publisher(topics).heartbeatInterval(Duration.ofMillis(20)).build()) {
      FopsTopic.readUntil(
          kafka.bootstrapServers(),
          topics.fops(),
          records -> records.stream().map(ConsumerRecord::partition).distinct().count() == 4,
          Duration.ofSeconds(30));
      for (int i = 0; i < 20; i++) {
        publisher.publish(write(gfid(i), T0 + i, "farewell-" + i));
      }
    }

    List<ConsumerRecord<String, SpecificRecord>> read =
        FopsTopic.readUntil(
            kafka.bootstrapServers(),
            topics.fops(),
            records ->
                records.stream()
                        .filter(r -> r.value() instanceof BrickHeartbeat beat && beat.getLeaving())
                        .count()
                    == 4,
            Duration.ofSeconds(30));
    Map<Integer, List<SpecificRecord>> byPartition = new HashMap<>();
    read.forEach(
        record ->
            byPartition
                .computeIfAbsent(record.partition(), p -> new ArrayList<>())
                .add(record.value()));
    assertThat(byPartition).hasSize(4);
    byPartition.forEach(
        (partition, values) ->
            assertThat(values.get(values.size() - 1))
                .as("the last record of partition %d", partition)
                .isInstanceOfSatisfying(
                    BrickHeartbeat.class, beat -> assertThat(beat.getLeaving()).isTrue()));
    assertThat(read.stream().filter(record -> record.value() instanceof FopRecord)).hasSize(20);
  }

  @Test
  void noHeartbeatIsAheadOfAFopPublishedAfterIt() throws Exception {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    AtomicLong ticks = new AtomicLong(T0);
    InstantSource ticking =
        () -> Instant.ofEpochMilli(ticks.incrementAndGet()); // every reading is a new ms
    int threads = 4;
    int perThread = 5_000;
    try (BrickPublisher publisher =
        publisher(topics).clock(ticking).heartbeatInterval(Duration.ofMillis(2)).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        work.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    publisher.publish(
                        write(
                            gfid(thread * perThread + i),
                            0,
                            "f" + thread + "-" + i)); // stamped at hand-off
                  }
                }));
      }
      for (Future<?> w : work) {
        w.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      publisher.flush();
    }
    Map<Integer, Long> latestBeat = new HashMap<>();
    int fops = 0;
    int fopsAfterABeat = 0;
    for (ConsumerRecord<String, SpecificRecord> record :
        FopsTopic.readAll(kafka.bootstrapServers(), topics.fops())) {
      if (record.value() instanceof BrickHeartbeat beat) {
        latestBeat.merge(record.partition(), beat.getEventTimeMs(), Math::max);
      } else {
        FopRecord fop = (FopRecord) record.value();
        Long beat = latestBeat.get(record.partition());
        if (beat != null) {
          fopsAfterABeat++;
          assertThat(fop.getEventTimeMs())
              .as("fop after heartbeat %d", beat)
              .isGreaterThanOrEqualTo(beat);
        }
        fops++;
      }
    }
    assertThat(fops).isEqualTo(threads * perThread);
    assertThat(fopsAfterABeat).as("heartbeats interleave with the fops").isGreaterThan(fops / 2);
  }

  @Test
  void unreachableClusterMakesPublishFailAfterTheBoundSayingWhy() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    try (BrickPublisher publisher =
        BrickPublisher.builder()
            .bootstrapServers("127.0.0.1:" + port)
            .volume(VOLUME)
            .brick(BRICK)
            .maxBlock(Duration.ofSeconds(1))
            .heartbeatInterval(Duration.ZERO)
            .build()) {
      long start = System.nanoTime();
      CompletableFuture<RecordMetadata> ack = publisher.publish(write(gfid(3), T0, "lost"));
      long blockedMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(blockedMs).isBetween(900L, 5_000L);
      assertThat(ack).isCompletedExceptionally();
      assertThatThrownBy(ack::join)
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(PublishException.class)
          .hasMessageStartingWith("broker unreachable for 1 s (metadata unavailable")
          .hasMessageContaining("while publishing WRITE gfid=" + Gfids.format(gfid(3)));
      assertThat(publisher.metrics().failed()).isEqualTo(1);
      assertThat(publisher.metrics().inFlight()).isZero();
    }
  }

  @Test
  void builderRefusesSettingsThatWouldWeakenTheGuarantees() {
    BrickPublisher.Builder base =
        BrickPublisher.builder().bootstrapServers("127.0.0.1:9").volume(VOLUME).brick(BRICK);
    assertThatThrownBy(() -> base.property("acks", "1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acks=1 is not allowed");
    assertThatThrownBy(
            () ->
                BrickPublisher.builder()
                    .bootstrapServers("127.0.0.1:9")
                    .volume(VOLUME)
                    .brick(BRICK)
                    .property("enable.idempotence", "false")
                    .build())
        .hasMessageContaining("enable.idempotence");
    assertThatThrownBy(
            () -> BrickPublisher.builder().bootstrapServers("127.0.0.1:9").volume(VOLUME).build())
        .hasMessage("brick must be set");
    assertThatThrownBy(() -> BrickPublisher.builder().volume(VOLUME).brick(BRICK).build())
        .hasMessage("bootstrapServers must be set");
  }
}
