package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.producers.BrickPublisher;
import io.upcall.producers.PublishException;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops in the middle of continuous load and comes back on the same log directory. Publishers hold
 * records within their bounds (one with a delivery timeout shorter than the outage fails them, saying why), every
 * acknowledged record is in the fop topic afterwards, and the streams app resumes by itself: the invalidations
 * equal what docs/semantics.md requires for the fops in the log.
 */
@Tag("slow")
class BrokerRestartTest {
  private static final Duration TIGHT_DELIVERY = Duration.ofSeconds(2);
  private static final Duration PATIENT_BLOCK = Duration.ofSeconds(30);

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path work;

  @Test
  void publishersFailClearlyWithinTheirBoundsNothingAcknowledgedIsLostAndThePipelineResumes(
      TestReporter reporter) throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    String applicationId = kafka.uniqueName("outage");
    UpcallStreamsApp app =
        UpcallStreamsApp.start(
            new UpcallStreamsConfig(
                StreamsSettings.of(
                    kafka.bootstrapServers(),
                    applicationId,
                    topics,
                    StreamsConfig.EXACTLY_ONCE_V2,
                    work.resolve("state"))));
    SteadyLoad load = null;
    TightPublisher tight = null;
    try {
      assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
      load =
          SteadyLoad.start(
              SteadyLoad.smallVolume(31).build(),
              1_000,
              true,
              () ->
                  BrickPublisher.builder()
                      .bootstrapServers(kafka.bootstrapServers())
                      .topics(topics)
                      .heartbeatInterval(Duration.ofMillis(200))
                      .maxBlock(PATIENT_BLOCK)
                      .deliveryTimeout(Duration.ofSeconds(120)));
      tight =
          new TightPublisher(
              BrickPublisher.builder()
                  .bootstrapServers(kafka.bootstrapServers())
                  .topics(topics)
                  .volume("vol")
                  .brick("tight-brick")
                  .heartbeatInterval(Duration.ZERO)
                  .maxBlock(Duration.ofSeconds(1))
                  .deliveryTimeout(TIGHT_DELIVERY)
                  .build());
      SteadyLoad running = load;
      Eventually.within(
          Duration.ofSeconds(30), "load under way", () -> running.acknowledged() > 2_000);

      long stoppedAt = System.nanoTime();
      kafka.broker().stop();
      TightPublisher failing = tight;
      Eventually.within(
          Duration.ofSeconds(30),
          "the tight publisher gives up on a record",
          () -> !failing.failures.isEmpty());
      long acknowledgedWhileDown = load.acknowledged();
      kafka.broker().restart();
      Duration outage = Duration.ofNanos(System.nanoTime() - stoppedAt);
      Eventually.within(
          Duration.ofSeconds(60),
          "the load is acknowledged again",
          () -> running.acknowledged() > acknowledgedWhileDown + 2_000);
      Duration backToRunning =
          Eventually.within(
              Duration.ofSeconds(60),
              "the streams app RUNNING",
              () -> app.state() == KafkaStreams.State.RUNNING);
      tight.close();
      load.close();

      Duration drain =
          Drained.await(
              kafka.clientProperties(), applicationId, topics.fops(), Duration.ofSeconds(120));
      List<SpecOracle.Logged> fops = TopicLog.fops(kafka.clientProperties(), topics.fops());
      Set<String> logged =
          fops.stream().map(l -> SteadyLoad.key(l.fop())).collect(Collectors.toSet());
      Set<String> acknowledged = new HashSet<>(load.acknowledgedRecords().keySet());
      acknowledged.addAll(tight.acknowledged);
      Comparison result =
          Comparison.of(
              SpecOracle.expected(fops, StreamsSettings.TIMEOUT_SECONDS),
              TopicLog.invalidations(kafka.clientProperties(), topics.invalidations()));
      reporter.publishEntry(
          String.format(
              "broker restart: down %d ms; load: %d acknowledged, %d failed, longest "
                  + "publish call %d ms; tight publisher (delivery timeout %d s): %d acknowledged, %d failed, e.g. "
                  + "\"%s\"; streams app RUNNING again %d ms after the restart, drained %d ms after the load stopped; %s",
              outage.toMillis(),
              load.acknowledged(),
              load.failures().size(),
              load.longestHandOff().toMillis(),
              TIGHT_DELIVERY.toSeconds(),
              tight.acknowledged.size(),
              tight.failures.size(),
              tight.failures.get(0).getMessage(),
              backToRunning.toMillis(),
              drain.toMillis(),
              result.summary()));

      assertThat(load.failures()).as("the patient load's failures").isEmpty();
      assertThat(logged)
          .as("every acknowledged record is in the fop topic")
          .containsAll(acknowledged);
      assertThat(load.longestHandOff())
          .as("the patient load blocked at most its max block")
          .isLessThan(PATIENT_BLOCK);
      // Each failure names its bound: no metadata within max.block.ms at hand-off, or no
      // acknowledgement in time.
      assertThat(tight.failures)
          .allSatisfy(
              failure ->
                  assertThat(failure)
                      .isInstanceOf(PublishException.class)
                      .hasMessageContaining("from brick tight-brick")
                      .satisfiesAnyOf(
                          f ->
                              assertThat(f)
                                  .hasMessageStartingWith(
                                      "not acknowledged within the delivery timeout of 2 s"),
                          f -> assertThat(f).hasMessageStartingWith("broker unreachable for 1 s")));
      assertThat(result.lost()).as("required invalidations never delivered").isEmpty();
      assertThat(result.duplicated())
          .as("invalidations beyond what docs/semantics.md requires or permits")
          .isEmpty();
    } finally {
      if (tight != null) {
        tight.close();
      }
      if (load != null) {
        load.close();
      }
      app.close();
    }
  }

  /** A brick with a delivery timeout shorter than the outage, writing one file every 20 ms. */
  private static final class TightPublisher implements AutoCloseable {
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Probe probe;
    private final Thread thread;
    private volatile boolean stopping;

    TightPublisher(BrickPublisher brick) {
      this.probe = new Probe(brick);
      Gfid file = Gfids.of(UUID.randomUUID());
      String client = "tight-client-" + UUID.randomUUID();
      this.thread =
          new Thread(
              () -> {
                long size = 0;
                while (!stopping) {
                  String fopId;
                  try {
                    fopId = probe.writeAsync(client, file, ++size);
                  } catch (RuntimeException e) {
                    failures.add(e);
                    continue;
                  }
                  probe
                      .completion(fopId)
                      .whenComplete(
                          (metadata, error) -> {
                            if (error == null) {
                              acknowledged.add("tight-brick|" + fopId);
                            } else {
                              failures.add(error);
                            }
                          });
                  LockSupport.parkNanos(20_000_000L);
                }
              },
              "tight-publisher");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stopping = true;
      thread.join(10_000);
      probe.close();
    }
  }
}
