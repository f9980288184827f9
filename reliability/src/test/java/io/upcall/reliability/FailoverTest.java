package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two streams instances (one standby replica per task) share the work under continuous load; one is killed. Its
 * tasks move to the survivor, and a client watching files in every partition keeps receiving the invalidation of
 * every write; the longest silence between two invalidations of one steadily written file is the failover gap.
 */
@Tag("slow")
class FailoverTest {
  private static final int FILES = 8;
  private static final long WRITE_EVERY_MS = 100;

  /** What the gap must stay under: session timeout, rebalance, restore from the standby, an aborted transaction. */
  private static final Duration GAP_BOUND = Duration.ofSeconds(45);

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path work;

  @Test
  void tasksOfAKilledInstanceMoveToTheSurvivorAndClientsKeepReceivingTheirInvalidations(
      TestReporter reporter) throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    String applicationId = kafka.uniqueName("failover");
    Map<String, Object> a =
        StreamsSettings.of(
            kafka.bootstrapServers(),
            applicationId,
            topics,
            StreamsConfig.EXACTLY_ONCE_V2,
            work.resolve("state-a"));
    a.put("num.standby.replicas", 1);
    a.put("upcall.progress.interval.ms", 100);
    Map<String, Object> b = new HashMap<>(a);
    b.put("state.dir", Files.createDirectories(work.resolve("state-b")).toString());

    ChildStreams first = ChildStreams.start("a", a, work);
    ChildStreams second = ChildStreams.start("b", b, work);
    SteadyLoad load =
        SteadyLoad.start(SteadyLoad.smallVolume(21).build(), 500, false, () -> publisher(topics));
    Probe probe = new Probe(publisher(topics).volume("vol").brick("probe-brick").build());
    Map<Gfid, List<Long>> heardAtNanos = new ConcurrentHashMap<>();
    Set<String> heard = ConcurrentHashMap.newKeySet();
    List<String> written = new CopyOnWriteArrayList<>();
    Map<Gfid, String> lastWritten = new ConcurrentHashMap<>();
    String writer = "writer-" + UUID.randomUUID();
    List<Gfid> files = new ArrayList<>();
    for (int i = 0; i < FILES; i++) {
      Gfid gfid = Gfids.of(UUID.randomUUID());
      files.add(gfid);
      heardAtNanos.put(gfid, new CopyOnWriteArrayList<>());
    }
    ScheduledExecutorService writes = Executors.newSingleThreadScheduledExecutor();
    try (UpcallClient watcher =
        UpcallClient.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .topics(topics)
            .uid("watcher-" + UUID.randomUUID())
            .cache(MetadataCache.builder().build())
            .listener(
                (Invalidation told) -> {
                  heard.add(told.getCauseFopId());
                  heardAtNanos.get(told.getGfid()).add(System.nanoTime());
                })
            .build()) {
      assertThat(watcher.awaitReady(Duration.ofSeconds(60))).as("watcher ready").isTrue();
      for (Gfid file : files) {
        probe.stat(watcher.uid(), file).join();
      }
      writes.scheduleAtFixedRate(
          () ->
              files.forEach(
                  file -> {
                    String fopId = probe.writeAsync(writer, file, 4096);
                    written.add(fopId);
                    lastWritten.put(file, fopId);
                  }),
          0,
          WRITE_EVERY_MS,
          TimeUnit.MILLISECONDS);
      Eventually.within(
          Duration.ofSeconds(30),
          "every file's writes reach the watcher",
          () -> heardAtNanos.values().stream().allMatch(times -> times.size() >= 10));

      long killedAt = System.nanoTime();
      first.kill();
      Eventually.within(
          GAP_BOUND,
          "every file's writes reach the watcher again after the kill",
          () ->
              heardAtNanos.values().stream()
                  .allMatch(times -> times.get(times.size() - 1) > killedAt));
      Duration resumed = Duration.ofNanos(System.nanoTime() - killedAt);
      // Keep writing a while on the survivor alone, then stop and wait for the last writes.
      int writtenAtResume = written.size();
      Eventually.within(
          Duration.ofSeconds(30), "more writes", () -> written.size() >= writtenAtResume + 200);
      writes.shutdown();
      assertThat(writes.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      probe.close();
      // A batch may fold a file's writes told to the watcher together into the latest
      // (docs/semantics.md, "Wire format"): the watcher has heard of every write once it has heard
      // of each file's last one.
      Eventually.within(
          Duration.ofSeconds(60),
          "the watcher heard of every file's last write",
          () -> heard.containsAll(lastWritten.values()));

      long gapNanos = 0;
      for (List<Long> times : heardAtNanos.values()) {
        for (int i = 1; i < times.size(); i++) {
          gapNanos = Math.max(gapNanos, times.get(i) - times.get(i - 1));
        }
      }
      Duration gap = Duration.ofNanos(gapNanos);
      reporter.publishEntry(
          String.format(
              "failover: %d writes to %d files, each file's last one heard (%d causes "
                  + "heard in all); every file heard again %d ms after the kill; longest silence of a file written every "
                  + "%d ms: %d ms; survivor alive: %s",
              written.size(),
              FILES,
              heard.size(),
              resumed.toMillis(),
              WRITE_EVERY_MS,
              gap.toMillis(),
              second.isAlive()));
      assertThat(second.isAlive()).as("the survivor kept running").isTrue();
      assertThat(gap).as("failover gap").isLessThan(GAP_BOUND);
      assertThat(load.failures()).isEmpty();
    } finally {
      writes.shutdownNow();
      probe.close();
      load.close();
      second.close();
      first.close();
    }
  }

  private static BrickPublisher.Builder publisher(UpcallTopics topics) {
    return BrickPublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .topics(topics)
        .heartbeatInterval(Duration.ofMillis(100));
  }
}
