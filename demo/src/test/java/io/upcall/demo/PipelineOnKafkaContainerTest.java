package io.upcall.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.client.FetchToken;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The pipeline on a real Kafka in Docker (the official apache/kafka image, KRaft): a brick publishes fops, the
 * streams app turns them into invalidations, and another client's cache applies them. Skipped where there is no
 * Docker daemon.
 */
@Testcontainers(disabledWithoutDocker = true)
class PipelineOnKafkaContainerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String READER =
      "CTX_ID:reader-GRAPH_ID:0-PID:1-HOST:client1-PC_NAME:vol-client-0-RECON_NO:-0";
  private static final String WRITER =
      "CTX_ID:writer-GRAPH_ID:0-PID:2-HOST:client2-PC_NAME:vol-client-0-RECON_NO:-0";

  @Container static final KafkaContainer kafka = new KafkaContainer("apache/kafka:4.4.0");

  @TempDir static Path stateDir;

  private static UpcallStreamsApp streams;
  private static BrickPublisher brick;

  @BeforeAll
  static void startTheStreamsAppAndABrick() throws InterruptedException {
    streams =
        UpcallStreamsApp.start(
            new UpcallStreamsConfig(
                Map.of(
                    UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.getBootstrapServers(),
                    UpcallStreamsConfig.APPLICATION_ID_CONFIG,
                    "upcall-container-test",
                    UpcallStreamsConfig.STATE_DIR_CONFIG,
                    stateDir.toString(),
                    TopicSettings.PARTITIONS_CONFIG,
                    2)));
    assertThat(streams.awaitRunning(WAIT)).as("streams app RUNNING").isTrue();
    brick =
        BrickPublisher.builder()
            .bootstrapServers(kafka.getBootstrapServers())
            .volume("vol")
            .brick("server1:/bricks/vol/brick1")
            .heartbeatInterval(Duration.ofMillis(100))
            .build();
  }

  @AfterAll
  static void stop() {
    if (brick != null) {
      brick.close(Duration.ofSeconds(5));
    }
    if (streams != null) {
      streams.close();
    }
  }

  @Test
  void aWriteByOneClientUpdatesAnotherClientsCache() throws Exception {
    // configure: a reader with a cache, ready (it heard from every streams task)
    List<Invalidation> told = new CopyOnWriteArrayList<>();
    MetadataCache cache = MetadataCache.builder().build();
    try (UpcallClient reader =
        UpcallClient.builder()
            .bootstrapServers(kafka.getBootstrapServers())
            .uid(READER)
            .cache(cache)
            .listener(told::add)
            .build()) {
      assertThat(reader.awaitReady(WAIT)).as("reader ready").isTrue();
      Gfid file = Gfids.of(UUID.randomUUID());
      Iatt before = stat(1, 4096);

      // produce: the reader looks the file up (the brick registers the access), then the writer
      // changes it
      FetchToken token = cache.beginFetch(file);
      brick.publish(fop(Fop.LOOKUP, READER, file, before, "lookup-1")).get();
      assertThat(cache.putStat(token, before)).isTrue();
      Iatt after = stat(2, 8192);
      brick.publish(fop(Fop.WRITE, WRITER, file, after, "write-1")).get();

      // verify: the reader's cache serves the new stat, and its listener was told which fop caused
      // it
      assertThat(
              Eventually.within(
                  WAIT,
                  "the reader's cache serves the new stat",
                  () -> cache.stat(file).filter(after::equals),
                  Optional::isPresent))
          .contains(after);
      Optional<Invalidation> invalidation =
          Eventually.within(
              WAIT,
              "the reader told of write-1",
              () -> told.stream().filter(i -> "write-1".equals(i.getCauseFopId())).findFirst(),
              Optional::isPresent);
      assertThat(invalidation)
          .hasValueSatisfying(
              i -> {
                assertThat(i.getGfid()).isEqualTo(file);
                assertThat(UpcallFlag.SIZE.in(i.getFlags())).isTrue();
              });
    }
  }

  private static FopRecord fop(Fop fop, String client, Gfid gfid, Iatt stat, String fopId) {
    return FopRecord.newBuilder()
        .setVolume("")
        .setBrick("")
        .setFop(fop)
        .setClient(client)
        .setGfid(gfid)
        .setEventTimeMs(0) // stamped by the publisher, so no heartbeat claims a time before it
        .setStat(stat)
        .setFopId(fopId)
        .build();
  }

  private static Iatt stat(long ctimeSec, long size) {
    return Iatt.newBuilder()
        .setType(IaType.REG)
        .setMode(0644)
        .setUid(0)
        .setGid(0)
        .setNlink(1)
        .setSize(size)
        .setBlocks(size / 512)
        .setAtimeSec(ctimeSec)
        .setAtimeNsec(0)
        .setMtimeSec(ctimeSec)
        .setMtimeNsec(0)
        .setCtimeSec(ctimeSec)
        .setCtimeNsec(0)
        .build();
  }
}
