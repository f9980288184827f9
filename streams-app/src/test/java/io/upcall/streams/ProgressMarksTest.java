package io.upcall.streams;

import static io.upcall.streams.Fops.FILE;
import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.stat;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.Fop;
import io.upcall.avro.Invalidation;
import io.upcall.avro.ProgressMark;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress marks on the production topology: emitted per task, advanced by brick heartbeats through the repartition. */
class ProgressMarksTest {
  private static final UpcallTopics TOPICS = UpcallTopics.defaults();
  private static final Duration INTERVAL = Duration.ofMillis(ProgressMarks.INTERVAL_MS_DEFAULT);
  private static final long LEARNED = T0 + ProgressMarks.LEARNING_SPAN.toMillis();

  private TopologyTestDriver driver;
  private TestInputTopic<String, SpecificRecord> fops;
  private TestOutputTopic<String, SpecificRecord> invalidations;

  /** The driver's state directory, deleted after each test. */
  @TempDir Path stateDir;

  @BeforeEach
  void startDriver() throws IOException {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "upcall-marks-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            UpcallTopology.build(TOPICS, Switches.DEFAULTS, Duration.ofSeconds(1)),
            props,
            Instant.ofEpochMilli(T0));
    fops =
        driver.createInputTopic(
            TOPICS.fops(), new StringSerializer(), UpcallSerdes.fopsTopic().serializer());
    invalidations =
        driver.createOutputTopic(
            TOPICS.invalidations(),
            new StringDeserializer(),
            UpcallSerdes.invalidationsTopic().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void writesNoMarkBeforeHeartbeatsSpanTheLearningSpan() {
    heartbeat("brick-1", T0);
    heartbeat("brick-1", LEARNED - 1);

    tick();

    assertThat(marks()).isEmpty();
  }

  @Test
  void writesAMarkEveryIntervalClaimingTheLatestHeartbeat() {
    heartbeat("brick-1", T0);
    heartbeat("brick-1", LEARNED);

    tick();
    tick();

    List<ProgressMark> marks = marks();
    assertThat(marks)
        .hasSize(2)
        .allSatisfy(
            mark -> {
              assertThat(mark.getWatermarkMs()).isEqualTo(LEARNED);
              assertThat(mark.getTaskCount()).isEqualTo(1);
              assertThat(mark.getTask()).isNotBlank().isEqualTo(marks.get(0).getTask());
              assertThat(mark.getEmittedAtMs()).isGreaterThan(T0);
            });
  }

  @Test
  void marksAdvanceWithHeartbeats() {
    heartbeat("brick-1", T0);
    heartbeat("brick-1", LEARNED);
    tick();
    heartbeat("brick-1", LEARNED + 500);
    tick();
    heartbeat("brick-1", LEARNED + 1_000);
    tick();

    assertThat(marks())
        .extracting(ProgressMark::getWatermarkMs)
        .containsExactly(LEARNED, LEARNED + 500, LEARNED + 1_000);
  }

  @Test
  void theSlowestBrickHoldsTheMarksBack() {
    heartbeat("brick-1", T0);
    heartbeat("brick-2", T0);
    heartbeat("brick-1", LEARNED + 1_000);
    heartbeat("brick-2", LEARNED);

    tick();

    assertThat(marks()).extracting(ProgressMark::getWatermarkMs).containsExactly(LEARNED);
  }

  @Test
  void aBrickSilentForTheTimeoutNoLongerHoldsTheMarksBack() {
    long timeout = ProgressMarks.BRICK_TIMEOUT_MS_DEFAULT;
    heartbeat("brick-1", T0);
    heartbeat("brick-2", T0);
    heartbeat("brick-1", LEARNED);
    tick();
    heartbeat("brick-1", T0 + timeout);
    tick();
    heartbeat("brick-1", T0 + timeout + 1);
    tick();

    assertThat(marks())
        .extracting(ProgressMark::getWatermarkMs)
        .containsExactly(T0, T0, T0 + timeout + 1);
  }

  @Test
  void aSilentBrickThatAnnouncedItsDeliveryBoundHoldsTheMarksBackOnlyUntilNoRecordOfItCanArrive() {
    long bound = 2_000 + 2 * 500; // delivery bound + two heartbeat intervals
    heartbeat("brick-1", T0);
    announcing("brick-2", T0, 2_000, 500);
    heartbeat("brick-1", LEARNED);
    tick();
    heartbeat("brick-1", T0 + bound);
    tick();
    heartbeat("brick-1", T0 + bound + 1);
    tick();

    // Never beyond the silent brick while one of its records could still come; then no longer held
    // back by it.
    assertThat(marks())
        .extracting(ProgressMark::getWatermarkMs)
        .containsExactly(T0, T0, T0 + bound + 1);
  }

  @Test
  void anAnnouncedBoundLongerThanTheBrickTimeoutWaitsOnlyTheBrickTimeout() {
    long timeout = ProgressMarks.BRICK_TIMEOUT_MS_DEFAULT;
    heartbeat("brick-1", T0);
    announcing("brick-2", T0, 10 * timeout, 500);
    heartbeat("brick-1", LEARNED);
    tick();
    heartbeat("brick-1", T0 + timeout + 1);
    tick();

    assertThat(marks())
        .extracting(ProgressMark::getWatermarkMs)
        .containsExactly(T0, T0 + timeout + 1);
  }

  @Test
  void aBrickThatLeavesStopsHoldingTheMarksBackAtOnce() {
    heartbeat("brick-1", T0);
    heartbeat("brick-2", T0);
    heartbeat("brick-1", LEARNED);
    tick();
    farewell("brick-2", T0 + 100);
    tick();
    heartbeat("brick-1", LEARNED + 500);
    tick();

    assertThat(marks())
        .extracting(ProgressMark::getWatermarkMs)
        .containsExactly(T0, LEARNED, LEARNED + 500);
  }

  @Test
  void theLastBrickToLeaveIsTheLastWordOnItsPartition() {
    heartbeat("brick-1", T0);
    heartbeat("brick-1", LEARNED);
    tick();
    farewell("brick-1", LEARNED + 300);
    tick();

    assertThat(marks())
        .extracting(ProgressMark::getWatermarkMs)
        .containsExactly(LEARNED, LEARNED + 300);
  }

  @Test
  void aMarkFollowsTheInvalidationsOfTheFopsBeforeItsWatermark() {
    heartbeat("brick-1", T0);
    fops.pipeInput(Gfids.format(FILE), fop(Fop.LOOKUP, "B", FILE, T0 + 100).build(), T0 + 100);
    fops.pipeInput(
        Gfids.format(FILE), fop(Fop.WRITE, "A", FILE, T0 + 200).setStat(stat(7)).build(), T0 + 200);
    heartbeat("brick-1", LEARNED);
    tick();

    List<SpecificRecord> out = invalidations.readValuesToList();
    assertThat(out).hasSize(2);
    assertThat(
            InvalidationBatches.perClient(
                out.get(0), TOPICS.invalidations(), UpcallSerdes.invalidation().deserializer()))
        .extracting(Invalidation::getClient)
        .containsExactly("B");
    assertThat(out.get(1))
        .isInstanceOfSatisfying(
            ProgressMark.class,
            mark -> assertThat(mark.getWatermarkMs()).isGreaterThanOrEqualTo(T0 + 200));
  }

  @Test
  void heartbeatsAreNeitherDeadLetteredNorInvalidations() {
    heartbeat("brick-1", T0);
    heartbeat("brick-1", LEARNED);
    tick();

    assertThat(
            driver
                .createOutputTopic(
                    TOPICS.fopsDlq(), new StringDeserializer(), new StringDeserializer())
                .isEmpty())
        .isTrue();
    // The heartbeats went through (a mark claims the second one), and nothing else came out of
    // them.
    assertThat(invalidations.readValuesToList())
        .singleElement()
        .isInstanceOfSatisfying(
            ProgressMark.class, mark -> assertThat(mark.getWatermarkMs()).isEqualTo(LEARNED));
  }

  private void heartbeat(String brick, long eventTimeMs) {
    fops.pipeInput(
        "heartbeat", new BrickHeartbeat("vol", brick, eventTimeMs, 0L, false, 0L, 0L), eventTimeMs);
  }

  /** A heartbeat of a publisher that announces its delivery bound and heartbeat interval (v3). */
  private void announcing(String brick, long eventTimeMs, long deliveryBoundMs, long intervalMs) {
    fops.pipeInput(
        "heartbeat",
        new BrickHeartbeat("vol", brick, eventTimeMs, 0L, false, deliveryBoundMs, intervalMs),
        eventTimeMs);
  }

  private void farewell(String brick, long eventTimeMs) {
    fops.pipeInput(
        "heartbeat", new BrickHeartbeat("vol", brick, eventTimeMs, 0L, true, 0L, 0L), eventTimeMs);
  }

  private void tick() {
    driver.advanceWallClockTime(INTERVAL);
  }

  private List<ProgressMark> marks() {
    return invalidations.readValuesToList().stream()
        .filter(ProgressMark.class::isInstance)
        .map(ProgressMark.class::cast)
        .toList();
  }
}
