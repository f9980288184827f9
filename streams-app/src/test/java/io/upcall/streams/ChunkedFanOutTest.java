package io.upcall.streams;

import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.gfid;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
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
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change to an inode with more tracked clients than one chunk is told a chunk at a time: the first at once, the
 * rest by punctuations, so other partitions' records get the stream thread in between; the inode's next event
 * waits for the rest, and no progress mark proves the change before every recipient is told.
 */
class ChunkedFanOutTest {
  private static final UpcallTopics TOPICS = UpcallTopics.defaults();
  private static final Gfid HOT = gfid(777);
  private static final int READERS = 2 * ChunkedFanOut.CHUNK + 2_000;

  private TopologyTestDriver driver;
  private TestInputTopic<String, SpecificRecord> fops;
  private TestOutputTopic<String, SpecificRecord> output;

  /** The driver's state directory, deleted after each test. */
  @TempDir Path stateDir;

  @BeforeEach
  void startDriverWithAHotInode() throws IOException {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "upcall-chunks-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    UpcallStreamsConfig.withQuietDefaults(props);
    driver =
        new TopologyTestDriver(
            UpcallTopology.build(TOPICS, Switches.DEFAULTS, Duration.ofSeconds(1)),
            props,
            Instant.ofEpochMilli(T0));
    fops =
        driver.createInputTopic(
            TOPICS.fops(), new StringSerializer(), UpcallSerdes.fopsTopic().serializer());
    output =
        driver.createOutputTopic(
            TOPICS.invalidations(),
            new StringDeserializer(),
            UpcallSerdes.invalidationsTopic().deserializer());
    for (int c = 0; c < READERS; c++) {
      pipe(fop(Fop.STAT, "reader-" + c, HOT, T0 + 1_000));
    }
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void aHotInodesChangeIsToldOneChunkNowAndTheRestByPunctuations() {
    pipe(fop(Fop.WRITE, "writer", HOT, T0 + 2_000).setStat(Fops.stat(1)));
    Set<String> told = new HashSet<>();
    List<Invalidation> first = invalidations();
    assertThat(first).hasSize(ChunkedFanOut.CHUNK);
    first.forEach(i -> told.add(i.getClient()));

    int punctuations = 0;
    while (told.size() < READERS) {
      driver.advanceWallClockTime(ChunkedFanOut.RESUME_INTERVAL);
      List<Invalidation> chunk = invalidations();
      assertThat(chunk.size())
          .as("one punctuation's recipients")
          .isLessThanOrEqualTo(ChunkedFanOut.CHUNK);
      chunk.forEach(i -> told.add(i.getClient()));
      assertThat(++punctuations).as("punctuations to tell every reader").isLessThan(10);
    }
    assertThat(told).hasSize(READERS).doesNotContain("writer");
    driver.advanceWallClockTime(ChunkedFanOut.RESUME_INTERVAL);
    assertThat(invalidations()).as("told twice").isEmpty();
  }

  @Test
  void theInodesNextEventWaitsForTheRestOfThePendingFanOut() {
    pipe(fop(Fop.WRITE, "writer", HOT, T0 + 2_000).setStat(Fops.stat(1)));
    assertThat(invalidations()).hasSize(ChunkedFanOut.CHUNK);

    pipe(fop(Fop.WRITE, "reader-0", HOT, T0 + 3_000).setStat(Fops.stat(2)));

    List<Invalidation> then = invalidations();
    long firstChange = then.stream().filter(i -> i.getEventTimeMs() == T0 + 2_000).count();
    assertThat(firstChange)
        .as("the rest of the first change")
        .isEqualTo(READERS - ChunkedFanOut.CHUNK);
    assertThat(then.subList(0, (int) firstChange))
        .allSatisfy(i -> assertThat(i.getEventTimeMs()).isEqualTo(T0 + 2_000));
  }

  @Test
  void noProgressMarkProvesAChangeStillBeingTold() {
    fops.pipeInput("heartbeat", new BrickHeartbeat("vol", "brick-1", T0, 0L, false, 0L, 0L), T0);
    pipe(fop(Fop.WRITE, "writer", HOT, T0 + 2_000).setStat(Fops.stat(1)));
    fops.pipeInput(
        "heartbeat",
        new BrickHeartbeat("vol", "brick-1", T0 + 5_000, 1L, false, 0L, 0L),
        T0 + 5_000);

    driver.advanceWallClockTime(
        Duration.ofMillis(ProgressMarks.INTERVAL_MS_DEFAULT)); // resumes and marks
    List<SpecificRecord> records = output.readValuesToList();
    long heldBack =
        records.stream()
            .filter(ProgressMark.class::isInstance)
            .map(ProgressMark.class::cast)
            .filter(mark -> mark.getWatermarkMs() >= T0 + 2_000)
            .count();
    assertThat(records.stream().filter(ProgressMark.class::isInstance))
        .as("marks written")
        .isNotEmpty();
    assertThat(heldBack).as("marks at or past the pending change").isZero();

    for (int punctuations = 0; pendingLeft(); punctuations++) {
      assertThat(punctuations).as("punctuations to tell every reader").isLessThan(10);
      driver.advanceWallClockTime(ChunkedFanOut.RESUME_INTERVAL);
    }
    output.readValuesToList();
    driver.advanceWallClockTime(Duration.ofMillis(ProgressMarks.INTERVAL_MS_DEFAULT));
    assertThat(
            output.readValuesToList().stream()
                .filter(ProgressMark.class::isInstance)
                .map(ProgressMark.class::cast))
        .as("marks once every reader is told")
        .allSatisfy(mark -> assertThat(mark.getWatermarkMs()).isEqualTo(T0 + 5_000));
  }

  private boolean pendingLeft() {
    try (var all =
        driver.<Bytes, byte[]>getKeyValueStore(UpcallProcessor.PENDING_FANOUTS_STORE).all()) {
      return all.hasNext();
    }
  }

  private void pipe(FopRecord.Builder fop) {
    FopRecord record = fop.build();
    fops.pipeInput(Gfids.format(record.getGfid()), record, record.getEventTimeMs());
  }

  private List<Invalidation> invalidations() {
    return output.readValuesToList().stream()
        .flatMap(
            value ->
                InvalidationBatches.perClient(
                    value, TOPICS.invalidations(), UpcallSerdes.invalidation().deserializer())
                    .stream())
        .toList();
  }
}
