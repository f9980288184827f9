package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator's full mix on a replicated volume: creates, renames, links and unlinks (parents told through
 * the repartition), READDIRP listings (entries touched through it), and a record per replica brick. Records about
 * one inode then reach its task by several paths in an order that depends on scheduling, so the output is not
 * compared exactly with the model; what must hold is the client's promise: every invalidation the spec requires
 * is covered (see {@link Coverage}).
 */
@Tag("slow")
class EntryHeavyLoadTest {
  private static final int FOPS = 10_000;

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir
  Path work;

  @Test
  void everyRequiredInvalidationIsCoveredUnderEntryHeavyReplicatedLoad() throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    String applicationId = kafka.uniqueName("entry-heavy");
    SteadyLoad load = null;
    try (ChildStreams app = ChildStreams.start("app", StreamsSettings.of(kafka.bootstrapServers(), applicationId,
        topics, StreamsConfig.AT_LEAST_ONCE, work.resolve("state")), work)) {
      load = SteadyLoad.start(SteadyLoad.smallVolume(61).bricks(4).replicas(2).entryWeight(4).build(), 1_000, false,
          () -> BrickPublisher.builder().bootstrapServers(kafka.bootstrapServers()).topics(topics)
              .heartbeatInterval(Duration.ofMillis(200)));
      SteadyLoad running = load;
      Eventually.within(Duration.ofSeconds(90), FOPS + " fops acknowledged", () -> running.acknowledged() >= FOPS);
      load.close();
      Drained.await(kafka.clientProperties(), applicationId, topics.fops(), Duration.ofSeconds(90));

      List<SpecOracle.Logged> fops = TopicLog.fops(kafka.clientProperties(), topics.fops());
      Coverage result = Coverage.of(SpecOracle.expected(fops, StreamsSettings.TIMEOUT_SECONDS).required(),
          TopicLog.invalidations(kafka.clientProperties(), topics.invalidations()));
      long multiInode = fops.stream().filter(logged -> !SteadyLoad.singleInode(logged.fop())).count();
      long replicated = fops.stream().filter(logged -> logged.fop().getTxId() != null).count();
      System.out.printf("entry-heavy load: %d records (%d concern several inodes, %d carry a replica txId); %s%n",
          fops.size(), multiInode, replicated, result.summary());

      assertThat(load.failures()).as("publish failures").isEmpty();
      assertThat(multiInode).as("records that concern several inodes").isGreaterThan(FOPS / 20);
      assertThat(replicated).as("replicated records").isGreaterThan(FOPS / 20);
      assertThat(result.required()).as("the load required invalidations").isGreaterThan(FOPS);
      assertThat(result.uncovered()).as("required invalidations not covered by any delivered").isEmpty();
    } finally {
      if (load != null) {
        load.close();
      }
    }
  }
}
