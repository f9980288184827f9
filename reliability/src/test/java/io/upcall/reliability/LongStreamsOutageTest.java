package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams app down for longer than 2·T under load, then restarted (issue 15, item 6): during and after its
 * catch-up no client serves a stale answer, although the app then decides records that are more than 2·T old,
 * whose state its wall-clock expiry may already have dropped, and accesses may reach their inode T or more behind
 * its latest change, which tells them nothing of the changes in between (docs/semantics.md, "Order" and "State and
 * expiry").
 *
 * <p><b>Why no client can serve stale from such an access: the cache's own expiry.</b> Let a client fetch an inode
 * at wall time f; the brick stamps that access with event time a ≥ f − s, s being the clock skew between bricks
 * and clients the client allows for. {@code MetadataCache} keeps the answer until f + T − 1 s − 2s at the latest
 * (T less the second of rounding the app's freshness rule has, less the skew on both stamps), so it can only be
 * served at wall times v &lt; a + T − 1 s − s. Served at v it is stale only if a change with event time c replaced
 * it, a &lt; c &lt; v − B, B the staleness bound (a change before the access is in the answer). To serve at all at
 * v the client must hold marks proving every fop stamped up to v − B processed and committed, so the access and
 * the change were both decided before v. Every way the app can then fail to tell this client of c needs the wall
 * clock w at which it happens to have passed a + T − 1 s − s:
 * <ul>
 *   <li>the 2·T expiry drops the access (or the change it is told by the order rule) only when w is more than 2·T
 *       past it, but w ≤ v &lt; a + T;
 *   <li>the access reaches its inode T or more behind the inode's latest change L ≥ c (the order rule then tells it
 *       nothing, and a change merged into L, or replaced by it after a pause of T, is missed): L was decided
 *       before v, so it had happened, w ≥ L − s ≥ a + T − 1 s − s.
 * </ul>
 * Either way w &gt; v, a contradiction: by the time the app can miss a change for an access, every answer filled
 * from that access has expired. While the access is still undecided the marks hold the client's fresh-as-of below
 * a, so it serves only at v ≤ a + B, when no change after a is older than B.
 *
 * <p>The test pins it: clients configured as production ones (their caches' invalidation timeout is the app's T)
 * must serve at least {@value #ANSWERS} checked answers after the restart and none stale; a control client whose
 * cache runs on a clock ten times slower, so its answers outlive T, must be caught serving stale ones, which shows
 * that the check would fail if the expiry did not protect the clients. T is 6 s (so 2·T is short) and the bound
 * 3 s, below the 4.8 s an answer lives: a stale answer could be served and would be seen.
 */
@Tag("slow")
class LongStreamsOutageTest {
  private static final int T_SECONDS = 6;
  private static final Duration BOUND = Duration.ofSeconds(3);
  private static final Duration OUTAGE = Duration.ofSeconds(2L * T_SECONDS + 3);
  private static final long ANSWERS = 300;
  private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(120);

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path work;

  @Test
  void noClientServesStaleDuringOrAfterTheCatchUpOfAnOutageLongerThanTwiceTheTimeout(
      TestReporter reporter) throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    Map<String, Object> config =
        StreamsSettings.of(
            kafka.bootstrapServers(),
            kafka.uniqueName("long-outage"),
            topics,
            StreamsConfig.EXACTLY_ONCE_V2,
            work.resolve("state"));
    config.put("cache-invalidation-timeout", T_SECONDS);
    config.put("upcall.progress.interval.ms", 100);
    Supplier<BrickPublisher.Builder> bricks =
        () ->
            BrickPublisher.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topics(topics)
                .heartbeatInterval(Duration.ofMillis(200));
    Supplier<UpcallClient.Builder> clientBuilder =
        () -> UpcallClient.builder().bootstrapServers(kafka.bootstrapServers()).topics(topics);
    Duration timeout = Duration.ofSeconds(T_SECONDS);
    Ticker tenTimesSlower = () -> System.nanoTime() / 10;
    ChildStreams streams = ChildStreams.start("streams-1", config, work);
    try (SteadyLoad load = SteadyLoad.start(SteadyLoad.smallVolume(61).build(), 300, true, bricks);
        CheckedClients clients =
            CheckedClients.start(
                bricks,
                clientBuilder,
                3,
                40,
                BOUND,
                () -> MetadataCache.builder().invalidationTimeout(timeout).build());
        CheckedClients control =
            CheckedClients.start(
                bricks,
                clientBuilder,
                1,
                40,
                BOUND,
                () ->
                    MetadataCache.builder()
                        .invalidationTimeout(timeout)
                        .ticker(tenTimesSlower)
                        .build())) {
      awaitServing(clients, "before the outage");
      clients.resetLongestRefusal();
      long downAtMs = System.currentTimeMillis();
      streams.kill();
      // The fault itself: load, lookups and writes go on, nothing is decided.
      Thread.sleep(OUTAGE.toMillis());
      long restartedAtMs = System.currentTimeMillis();
      long servedBeforeRestart = clients.served();
      streams = ChildStreams.start("streams-2", config, work);
      awaitServing(clients, "after the restart");
      awaitServing(control, "(the control) after the restart");
      Duration refusal = clients.longestRefusal();
      long servedAfterRestart = clients.served() - servedBeforeRestart;
      clients.close();
      control.close();
      load.close();

      List<SpecOracle.Logged> fops = TopicLog.fops(kafka.clientProperties(), topics.fops());
      long decidedLate =
          fops.stream()
              .map(logged -> logged.fop().getEventTimeMs())
              .filter(
                  eventTime ->
                      eventTime >= downAtMs && eventTime < restartedAtMs - 2_000L * T_SECONDS)
              .count();
      String summary =
          String.format(
              "streams app down %d ms (2T = %d s): %d fops decided more than 2T after their "
                  + "event time; clients: %s; %d answers after the restart; control (answers outlive T): %s",
              restartedAtMs - downAtMs,
              2 * T_SECONDS,
              decidedLate,
              clients.summary(),
              servedAfterRestart,
              control.summary());
      System.out.println(summary);
      reporter.publishEntry("summary", summary);
      reporter.publishEntry("longest refusal", refusal.toMillis() + " ms");
      assertThat(decidedLate)
          .as("fops the restarted app decided more than 2T after their event time")
          .isPositive();
      assertThat(load.failures()).as("publish failures of the load").isEmpty();
      assertThat(clients.failures()).as("failures of the checked clients").isEmpty();
      assertThat(clients.stale()).as("stale reads: %s", clients.staleSamples()).isZero();
      assertThat(servedAfterRestart)
          .as("answers checked after the restart")
          .isGreaterThanOrEqualTo(ANSWERS);
      assertThat(control.stale())
          .as(
              "stale reads of the control client, whose answers outlive T: the check "
                  + "catches what the cache's expiry prevents")
          .isPositive();
    } finally {
      streams.close();
    }
  }

  private static void awaitServing(CheckedClients clients, String when) {
    long from = clients.served();
    ClusterPipeline.poll(
        SERVE_TIMEOUT,
        Duration.ofMillis(20),
        () -> "clients serve " + ANSWERS + " answers " + when + " (" + clients.summary() + ")",
        () -> clients.served() >= from + ANSWERS);
  }
}
