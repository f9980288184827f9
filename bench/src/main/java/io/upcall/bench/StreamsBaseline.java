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
final class StreamsBaseline {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private StreamsBaseline() {}

  /** in → drop records without a value → out, bytes untouched. */
  static Topology topology(String in, String out) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .filter((key, value) -> value != null)
        .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    return builder.build();
  }

  static PassThrough.Result run(BenchKafka kafka, BenchSettings settings, SampleFops sample, String guarantee,
      Duration warmUp) {
    String applicationId = kafka.name("baseline-" + guarantee.replace('_', '-'));
    String in = applicationId + ".in";
    String out = applicationId + ".out";
    kafka.createBounded(in, settings.partitions(), Map.of());
    kafka.createBounded(out, settings.partitions(), Map.of());
    Path stateDir;
    try {
      stateDir = Files.createTempDirectory("upcall-bench-baseline-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Properties props = PipelineApp.streamsProperties(kafka, settings, applicationId, guarantee, stateDir);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    KafkaStreams streams = new KafkaStreams(topology(in, out), props);
    try {
      streams.start();
      awaitRunning(streams);
      return PassThrough.run(kafka, sample, in, out, kafka.partitions(out), settings.baselineWindow(), warmUp,
          applicationId);
    } finally {
      streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
          .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      PipelineApp.deleteTree(stateDir);
      kafka.deleteTopics("baseline-");
    }
  }

  private static void awaitRunning(KafkaStreams streams) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
        throw new IllegalStateException("the streams baseline is " + streams.state() + " after start");
      }
      BenchKafka.pause(20);
    }
  }
}
