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
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The load generator's full mix on a replicated volume: creates, renames, links and unlinks (parents told through
 * the repartition), READDIRP listings (entries touched through it), and a record per replica brick; the streams
 * app is killed mid-load and restarted, so a backlog is processed with each task's own fops far ahead of what
 * reaches it through the repartition. Records about one inode then reach its task in an order that depends on
 * scheduling, so the output is not compared exactly with the model; what must hold is the client's promise: every
 * invalidation docs/semantics.md requires is covered (see {@link Coverage}).
 */
@Tag("slow")
class EntryHeavyLoadTest {
  private static final int FOPS = 15_000;
  private static final double FOPS_PER_SECOND = 1_500;

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(strings = {StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2})
  void everyRequiredInvalidationIsCoveredAcrossACrashUnderEntryHeavyReplicatedLoad(
      String guarantee, TestReporter reporter) throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    String applicationId = kafka.uniqueName("entry-heavy");
    Map<String, Object> config =
        StreamsSettings.of(
            kafka.bootstrapServers(), applicationId, topics, guarantee, work.resolve("state"));
    SteadyLoad load = null;
    ChildStreams second = null;
    try (ChildStreams first = ChildStreams.start("first", config, work)) {
      load =
          SteadyLoad.start(
              SteadyLoad.smallVolume(9).bricks(4).replicas(2).entryWeight(4).build(),
              FOPS_PER_SECOND,
              false,
              () ->
                  BrickPublisher.builder()
                      .bootstrapServers(kafka.bootstrapServers())
                      .topics(topics)
                      .heartbeatInterval(Duration.ofMillis(200)));
      load.awaitAcknowledged(FOPS / 3);
      first.kill();
      load.awaitAcknowledged(FOPS / 2); // a backlog builds while the app is down
      second = ChildStreams.start("second", config, work);
      load.awaitAcknowledged(FOPS);
      load.close();
      Drained.await(kafka.clientProperties(), applicationId, topics.fops(), Duration.ofSeconds(90));

      List<SpecOracle.Logged> fops = TopicLog.fops(kafka.clientProperties(), topics.fops());
      Coverage result =
          Coverage.of(
              SpecOracle.expected(fops, StreamsSettings.TIMEOUT_SECONDS).required(),
              TopicLog.invalidations(kafka.clientProperties(), topics.invalidations()));
      long multiInode =
          fops.stream().filter(logged -> !SteadyLoad.singleInode(logged.fop())).count();
      long replicated = fops.stream().filter(logged -> logged.fop().getTxId() != null).count();
      reporter.publishEntry(
          String.format(
              "entry-heavy load, %s, crash and restart: %d records (%d concern several "
                  + "inodes, %d carry a replica txId); %s",
              guarantee, fops.size(), multiInode, replicated, result.summary()));

      assertThat(load.failures()).as("publish failures").isEmpty();
      assertThat(multiInode).as("records that concern several inodes").isGreaterThan(FOPS / 20);
      assertThat(replicated).as("replicated records").isGreaterThan(FOPS / 20);
      assertThat(result.required()).as("the load required invalidations").isGreaterThan(FOPS);
      assertThat(result.uncovered())
          .as("required invalidations not covered by any delivered")
          .isEmpty();
    } finally {
      if (load != null) {
        load.close();
      }
      if (second != null) {
        second.close();
      }
    }
  }
}
