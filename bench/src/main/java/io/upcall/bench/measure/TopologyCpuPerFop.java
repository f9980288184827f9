package io.upcall.bench.measure;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.bench.BenchSettings;
import io.upcall.bench.InvalidationsTold;
import io.upcall.producers.load.FopGenerator;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.streams.UpcallTopology;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The CPU the production topology spends per fop of the bench's pipeline load with no broker, client or other
 * thread beside it: the load generator's fops at a fixed event-time rate through {@link TopologyTestDriver} (one
 * partition, RocksDB stores, Upcall's defaults), the wall clock moved with event time so punctuators run as live,
 * and the calling thread's CPU counted around the driver's calls only. Per window of event time it prints CPU per
 * fop, invalidations per fop and the records written per fop by topic. Run it from the built launcher:
 * {@code java -cp cli/target/upcall.jar io.upcall.bench.measure.TopologyCpuPerFop [rate] [seconds] [guarantee]
 * [KEY=VALUE...]}, each KEY=VALUE an Upcall option (e.g. {@code tracked-pairs-store=in-memory}).
 */
public final class TopologyCpuPerFop {
  private static final long START_MS = 1_700_000_000_000L;
  private static final int WINDOW_SECONDS = 10;

  private TopologyCpuPerFop() {}

  public static void main(String[] args) throws IOException {
    int rate = args.length > 0 ? positive("rate", args[0]) : 2_000;
    int seconds = args.length > 1 ? positive("seconds", args[1]) : 120;
    String guarantee = args.length > 2 ? args[2] : StreamsConfig.AT_LEAST_ONCE;
    Path stateDir = Files.createTempDirectory("upcall-topology-cpu");
    Map<String, Object> settings = new HashMap<>();
    settings.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    settings.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, "topology-cpu");
    settings.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    settings.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(TopicSettings.PARTITIONS_CONFIG, 1);
    for (int i = 3; i < args.length; i++) {
      String[] option = args[i].split("=", 2);
      if (option.length != 2) {
        throw new IllegalArgumentException("expected KEY=VALUE, got '" + args[i] + "'");
      }
      settings.put(option[0], option[1]);
    }
    UpcallStreamsConfig config = new UpcallStreamsConfig(settings);
    UpcallTopics topics = config.topics();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    FopGenerator load = new FopGenerator(BenchSettings.PIPELINE_LOAD);
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            UpcallTopology.build(config, 1),
            config.streamsProperties(),
            Instant.ofEpochMilli(START_MS))) {
      TestInputTopic<String, FopRecord> fops =
          driver.createInputTopic(
              topics.fops(), new StringSerializer(), UpcallSerdes.fopRecord().serializer());
      Map<String, TestOutputTopic<byte[], byte[]>> outputs = new TreeMap<>();
      long nowMs = START_MS;
      long intervalNs = 1_000_000_000L / rate;
      long toldBefore = 0;
      System.out.printf(
          "%s, %d fops/s of event time for %d s, %s%n",
          guarantee, rate, seconds, BenchSettings.PIPELINE_LOAD);
      for (int window = 0; window < seconds / WINDOW_SECONDS; window++) {
        long cpu = 0;
        long fopCount = 0;
        long fopRecords = 0;
        long wall = System.nanoTime();
        for (long i = 0; i < (long) rate * WINDOW_SECONDS; i++) {
          long eventMs =
              START_MS + ((long) window * rate * WINDOW_SECONDS + i) * intervalNs / 1_000_000;
          List<FopRecord> records = load.next(eventMs);
          long t0 = threads.getCurrentThreadCpuTime();
          if (eventMs > nowMs) {
            driver.advanceWallClockTime(Duration.ofMillis(eventMs - nowMs));
            nowMs = eventMs;
          }
          for (FopRecord record : records) {
            fops.pipeInput(Gfids.format(record.getGfid()), record, eventMs);
          }
          cpu += threads.getCurrentThreadCpuTime() - t0;
          fopCount++;
          fopRecords += records.size();
        }
        wall = System.nanoTime() - wall;
        Written written = drain(driver, outputs, topics);
        StringBuilder line = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Long> topic : written.recordsByTopic().entrySet()) {
          total += topic.getValue();
          line.append(
              String.format(
                  " %s %.2f",
                  topic.getKey().replace("topology-cpu-", ""),
                  (double) topic.getValue() / fopCount));
        }
        long told = InvalidationsTold.in(driver.metrics());
        System.out.printf(
            "t=%3d s: %6.1f us CPU per fop (%.1f us wall), %.2f fop records, %.1f invalidations told"
                + " (%.1f after folding) per fop, %.2f records written per fop:%s%n",
            (window + 1) * WINDOW_SECONDS,
            cpu / 1e3 / fopCount,
            wall / 1e3 / fopCount,
            (double) fopRecords / fopCount,
            (double) (told - toldBefore) / fopCount,
            (double) written.invalidations() / fopCount,
            (double) total / fopCount,
            line);
        toldBefore = told;
      }
    } finally {
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** A positive whole-number argument, or exit 2 with a message naming it. */
  private static int positive(String name, String value) {
    try {
      int parsed = Integer.parseInt(value);
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the message below
    }
    System.err.printf("%s must be a positive whole number, not '%s'%n", name, value);
    System.exit(2);
    return 0;
  }

  private static final Deserializer<SpecificRecord> INVALIDATIONS =
      UpcallSerdes.invalidationsTopic().deserializer();

  /** The records written to each topic since the last drain, and the invalidations their batches carry. */
  private record Written(Map<String, Long> recordsByTopic, long invalidations) {}

  private static Written drain(
      TopologyTestDriver driver,
      Map<String, TestOutputTopic<byte[], byte[]>> outputs,
      UpcallTopics topics) {
    Map<String, Long> written = new TreeMap<>();
    long invalidations = 0;
    for (String name : driver.producedTopicNames()) {
      TestOutputTopic<byte[], byte[]> topic =
          outputs.computeIfAbsent(
              name,
              n ->
                  driver.createOutputTopic(
                      n, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
      long records = 0;
      while (!topic.isEmpty()) {
        TestRecord<byte[], byte[]> record = topic.readRecord();
        records++;
        if (name.equals(topics.invalidations()) && record.value() != null) {
          SpecificRecord value = INVALIDATIONS.deserialize(name, record.value());
          invalidations +=
              value instanceof InvalidationBatch batch
                  ? InvalidationBatches.size(batch)
                  : value instanceof Invalidation ? 1 : 0;
        }
      }
      if (records > 0) {
        written.put(name, records);
      }
    }
    return new Written(written, invalidations);
  }
}
