package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.schemas.Gfids;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.Eventually;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** When the client cannot prove it has seen every invalidation it serves nothing, and it recovers on its own. */
@Tag("slow")
class PipelineOutageTest {
  private static final Duration BOUND = Duration.ofSeconds(1);
  private static final Duration RECOVERY = Duration.ofSeconds(90);
  private static final AtomicInteger FILES = new AtomicInteger();

  private static EmbeddedKafkaBroker broker;

  private Pipeline pipeline;
  private FileServer server;
  private UpcallClient b;
  private UpcallClient a;
  private InvalidationRecorder heardByB;
  private Gfid file;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.builder().build().start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @BeforeEach
  void startPipelineWithACachingClient() throws InterruptedException {
    pipeline = new Pipeline(broker);
    server = new FileServer(pipeline.brick());
    heardByB = new InvalidationRecorder(server);
    b =
        pipeline
            .client("client-b-" + UUID.randomUUID())
            .stalenessBound(BOUND)
            .listener(heardByB)
            .build();
    a = pipeline.client("client-a-" + UUID.randomUUID()).build();
    assertThat(b.awaitReady(Duration.ofSeconds(30))).isTrue();
    assertThat(a.awaitReady(Duration.ofSeconds(30))).isTrue();
    Eventually.within(Duration.ofSeconds(30), "fresh", () -> b.cache().isFresh());
    file = Gfids.of(new UUID(0x07a6e, FILES.incrementAndGet()));
    server.create(file);
    FetchToken token = b.cache().beginFetch(file);
    assertThat(b.cache().putStat(token, server.lookup(b.uid(), file))).isTrue();
    assertThat(b.cache().stat(file)).isPresent();
  }

  @AfterEach
  void closeAll() {
    b.close();
    a.close();
    pipeline.close();
  }

  @Test
  void servesMissesOnceTheBoundPassesWithTheBrokerDownAndRecoversWhenItReturns() {
    broker.stop();
    Duration untilMisses =
        Eventually.within(
            Duration.ofSeconds(10),
            "misses with the broker down",
            () -> b.cache().stat(file).isEmpty());
    assertThat(untilMisses).isLessThan(BOUND.plusSeconds(1));
    assertThat(b.cache().stats().unfreshMisses()).isPositive();

    broker.restart();
    Eventually.within(RECOVERY, "hits again once fresh", () -> b.cache().stat(file).isPresent());
    assertThat(b.metrics().positionLosses()).isZero();
    changeByAReachesB();
  }

  @Test
  void servesMissesOnceTheBoundPassesWithTheStreamsAppStoppedAndRecoversWhenItRestarts()
      throws Exception {
    pipeline.stopStreams();
    Duration untilMisses =
        Eventually.within(
            Duration.ofSeconds(10),
            "misses with the streams app stopped",
            () -> b.cache().stat(file).isEmpty());
    assertThat(untilMisses).isLessThan(BOUND.plusSeconds(1));

    pipeline.startStreams();
    Eventually.within(RECOVERY, "hits again once fresh", () -> b.cache().stat(file).isPresent());
    changeByAReachesB();
  }

  /** The pipeline works again end to end: A's write reaches B's cache. */
  private void changeByAReachesB() {
    FileServer.Written write = server.write(a.uid(), file, 65_536);
    Eventually.within(
        Duration.ofSeconds(10),
        "A's write reaches B's cache",
        () ->
            b.cache().stat(file).map(Iatt::getSize).equals(Optional.of(65_536L))
                && heardByB.heardOf(write.fopId()));
  }
}
