package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams app crashes (SIGKILL of its JVM: no commit, no flush, no leave-group) in the middle of continuous
 * load and is restarted on the same state directory. The invalidations in the topic, read as clients read them
 * (read_committed), are compared with what docs/semantics.md requires for the fops in the fop topic, computed by an
 * independent model.
 */
@Tag("slow")
class StreamsCrashTest {
  private static final double FOPS_PER_SECOND = 1_000;

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path work;

  @Test
  void exactlyOnceLosesNoInvalidationAndDuplicatesNoneAcrossACrash(TestReporter reporter)
      throws Exception {
    Comparison result = crashMidLoadAndRestart(StreamsConfig.EXACTLY_ONCE_V2, 11, reporter);

    assertThat(result.lost()).as("required invalidations never delivered").isEmpty();
    assertThat(result.duplicated())
        .as("invalidations delivered beyond what docs/semantics.md requires or permits")
        .isEmpty();
  }

  @Test
  void atLeastOnceLosesNoInvalidationAcrossACrash(TestReporter reporter) throws Exception {
    Comparison result = crashMidLoadAndRestart(StreamsConfig.AT_LEAST_ONCE, 12, reporter);

    assertThat(result.lost()).as("required invalidations never delivered").isEmpty();
  }

  private Comparison crashMidLoadAndRestart(String guarantee, long seed, TestReporter reporter)
      throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    String applicationId = kafka.uniqueName("crash");
    Map<String, Object> config =
        StreamsSettings.of(
            kafka.bootstrapServers(), applicationId, topics, guarantee, work.resolve("state"));

    ChildStreams first = ChildStreams.start("first", config, work);
    SteadyLoad load =
        SteadyLoad.start(
            SteadyLoad.smallVolume(seed).build(), FOPS_PER_SECOND, true, () -> publisher(topics));
    Comparison result;
    try {
      load.awaitAcknowledged(3_000);
      long killedNanos = System.nanoTime();
      first.kill();
      load.awaitAcknowledged(load.acknowledged() + 1_500); // load goes on while the app is down
      ChildStreams second = ChildStreams.start("second", config, work);
      Duration downtime = Duration.ofNanos(System.nanoTime() - killedNanos);
      try {
        load.awaitAcknowledged(load.acknowledged() + 2_000);
        load.close();
        Duration drain =
            Drained.await(
                kafka.clientProperties(), applicationId, topics.fops(), Duration.ofSeconds(90));
        List<SpecOracle.Logged> fops = TopicLog.fops(kafka.clientProperties(), topics.fops());
        result =
            Comparison.of(
                SpecOracle.expected(fops, StreamsSettings.TIMEOUT_SECONDS),
                TopicLog.invalidations(kafka.clientProperties(), topics.invalidations()));
        reporter.publishEntry(
            String.format(
                "%s crash: %d fops published (%d acknowledged), killed after RUNNING, "
                    + "down %d ms (restart to RUNNING %d ms), drained %d ms after the load stopped; %s",
                guarantee,
                fops.size(),
                load.acknowledged(),
                downtime.toMillis(),
                second.startup().toMillis(),
                drain.toMillis(),
                result.summary()));
        assertThat(load.failures()).as("publish failures").isEmpty();
        assertThat(fops).hasSize((int) load.acknowledged());
        assertThat(result.required()).as("the load required invalidations").isGreaterThan(500);
      } finally {
        second.close();
      }
    } finally {
      load.close();
      first.close();
    }
    return result;
  }

  private static BrickPublisher.Builder publisher(UpcallTopics topics) {
    return BrickPublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .topics(topics)
        .heartbeatInterval(Duration.ofMillis(200));
  }
}
