package io.upcall.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The ceiling of any Kafka Streams application here: a stateless pass-through (filter → to) of the pipeline's
 * records, with the same Streams settings as the pipeline (guarantee, threads, commit interval, producer linger
 * and compression), fed by the same producer.
 */
final class StreamsBaseline implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final BenchKafka kafka;
  private final String applicationId;
  private final KafkaStreams streams;
  private final Path stateDir;

  private StreamsBaseline(
      BenchKafka kafka, String applicationId, KafkaStreams streams, Path stateDir) {
    this.kafka = kafka;
    this.applicationId = applicationId;
    this.streams = streams;
    this.stateDir = stateDir;
  }

  /** in → drop records without a value → out, bytes untouched. */
  static Topology topology(String in, String out) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .filter((key, value) -> value != null)
        .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    return builder.build();
  }

  /**
   * Starts the pass-through under {@code guarantee} on topics of its own and returns once it is RUNNING; it keeps
   * running, idle between its {@link #window windows}, so that rounds interleaved with the pipeline's find it warm.
   */
  static StreamsBaseline start(BenchKafka kafka, BenchSettings settings, String guarantee) {
    String applicationId = kafka.name("baseline-" + guarantee.replace('_', '-'));
    kafka.createBounded(applicationId + ".in", settings.partitions(), Map.of());
    kafka.createBounded(applicationId + ".out", settings.partitions(), Map.of());
    Path stateDir;
    try {
      stateDir = Files.createTempDirectory("upcall-bench-baseline-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Properties props =
        PipelineApp.streamsProperties(kafka, settings, applicationId, guarantee, stateDir);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    KafkaStreams streams =
        new KafkaStreams(topology(applicationId + ".in", applicationId + ".out"), props);
    StreamsBaseline baseline = new StreamsBaseline(kafka, applicationId, streams, stateDir);
    try {
      streams.start();
      awaitRunning(streams);
      return baseline;
    } catch (RuntimeException e) {
      baseline.close();
      throw e;
    }
  }

  /** One window: {@code sample} sent for {@code window} as fast as the producer goes, the rate out measured. */
  PassThrough.Result window(SampleFops sample, Duration window, Duration warmUp) {
    String out = applicationId + ".out";
    return PassThrough.run(
        kafka,
        sample,
        applicationId + ".in",
        out,
        kafka.partitions(out),
        window,
        warmUp,
        applicationId);
  }

  @Override
  public void close() {
    try {
      streams.close(
          CloseOptions.timeout(Duration.ofSeconds(30))
              .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    } finally {
      PipelineApp.deleteTree(stateDir);
      kafka.deleteTopics("baseline-");
    }
  }

  private static void awaitRunning(KafkaStreams streams) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
        throw new IllegalStateException(
            "the streams baseline is " + streams.state() + " after start");
      }
      BenchKafka.pause(20);
    }
  }
}
