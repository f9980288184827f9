package io.upcall.streams;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Invalidation;
import io.upcall.avro.XattrInterest;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.TraceEvent;
import io.upcall.schemas.trace.TraceFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs the production {@link UpcallTopology} over a trace on {@link TopologyTestDriver}, in event time: each fop
 * goes to the fop topic with its {@code ts} as timestamp and the wall clock moved up to it, so state expires as it
 * would live. This is {@code upcall simulate}: how behaviour is checked by hand and regressions reproduced.
 */
public final class UpcallSimulator implements AutoCloseable {
  private static final UpcallTopics TOPICS = UpcallTopics.defaults();

  /** Expiry runs every second of trace time, so a trace shows the same expiry as a live cluster would. */
  private static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(1);

  private final Switches switches;
  private final Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, FopRecord> fops;
  private TestInputTopic<String, XattrInterest> xattrInterest;
  private TestOutputTopic<String, SpecificRecord> invalidations;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private long wallClockMs;

  /** A simulator starting with {@code switches} (the trace cannot change them). */
  public UpcallSimulator(Switches switches) {
    this.switches = switches;
    try {
      this.stateDir = Files.createTempDirectory("upcall-simulate");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a state directory for the simulation", e);
    }
  }

  /**
   * Feeds one trace event through the topology and returns the invalidations it caused, in emission order.
   *
   * @throws TraceFormatException naming the event's line when the fop breaks the fop contract (the topology
   *     dead-letters it)
   */
  public List<Invalidation> apply(TraceEvent event) {
    start(event.eventTimeMs());
    if (event.eventTimeMs() > wallClockMs) {
      driver.advanceWallClockTime(Duration.ofMillis(event.eventTimeMs() - wallClockMs));
      wallClockMs = event.eventTimeMs();
    }
    if (event instanceof TraceEvent.XattrRegistration) {
      XattrInterest interest = ((TraceEvent.XattrRegistration) event).interest();
      xattrInterest.pipeInput(interest.getClient(), interest, event.eventTimeMs());
    } else {
      FopRecord fop = ((TraceEvent.FopEvent) event).record();
      fops.pipeInput(Gfids.format(fop.getGfid()), fop, event.eventTimeMs());
    }
    if (!deadLetters.isEmpty()) {
      TestRecord<byte[], byte[]> rejected = deadLetters.readRecord();
      Header reason = rejected.headers().lastHeader(FopValidator.REASON_HEADER);
      throw new TraceFormatException(
          event.lineNumber(),
          reason == null ? "rejected" : new String(reason.value(), StandardCharsets.UTF_8));
    }
    return InvalidationBatches.perClient(
        invalidations.readValuesToList(),
        TOPICS.invalidations(),
        UpcallSerdes.invalidation().deserializer());
  }

  private void start(long firstEventTimeMs) {
    if (driver != null) {
      return;
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "upcall-simulate");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "simulated:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    UpcallStreamsConfig.withQuietDefaults(props);
    wallClockMs = firstEventTimeMs;
    driver =
        new TopologyTestDriver(
            UpcallTopology.build(TOPICS, switches, EXPIRY_INTERVAL),
            props,
            Instant.ofEpochMilli(firstEventTimeMs));
    fops =
        driver.createInputTopic(
            TOPICS.fops(), new StringSerializer(), UpcallSerdes.fopRecord().serializer());
    xattrInterest =
        driver.createInputTopic(
            TOPICS.xattrInterest(),
            new StringSerializer(),
            UpcallSerdes.xattrInterest().serializer());
    invalidations =
        driver.createOutputTopic(
            TOPICS.invalidations(),
            new StringDeserializer(),
            UpcallSerdes.invalidationsTopic().deserializer());
    deadLetters =
        driver.createOutputTopic(
            TOPICS.fopsDlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Closes the driver and deletes the simulation's state. */
  @Override
  public void close() {
    if (driver != null) {
      driver.close();
    }
    try (Stream<Path> files = Files.walk(stateDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is not worth failing a finished simulation for.
    }
  }
}
