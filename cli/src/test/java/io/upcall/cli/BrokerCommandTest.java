package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.schemas.topics.UpcallTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BrokerCommandTest {

  private final CliRunner runner = new CliRunner();

  @Test
  void brokerWithTopicsBecomesReachableAndStopsCleanlyWhenAsked() throws Exception {
    CommandLine cli = runner.commandLine();
    BrokerCommand broker = cli.getSubcommands().get("broker").getCommand();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> cli.execute("broker", "--port", "0", "--partitions", "2"));
    assertThat(broker.awaitReady(Duration.ofSeconds(60)))
        .as("ready; stderr: %s", runner.err())
        .isTrue();

    try (Admin admin = admin(broker)) {
      assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
      UpcallTopics topics = UpcallTopics.defaults();
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).containsAll(topics.all());
      assertThat(
              admin
                  .describeTopics(List.of(topics.fops()))
                  .allTopicNames()
                  .get(10, TimeUnit.SECONDS)
                  .get(topics.fops())
                  .partitions())
          .hasSize(2);
    }
    assertThat(runner.out())
        .contains(
            "Kafka broker ready at " + broker.bootstrapServers(),
            "Ctrl-C",
            "created upcall.fops",
            "created upcall.config");
    Path dataDir = printedDataDir();
    assertThat(dataDir).isDirectory();

    broker.requestStop();

    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(dataDir).doesNotExist();
    assertThat(runner.err()).doesNotContain("upcall:");
  }

  @Test
  void dataDirIsKeptAfterStop(@TempDir Path tmp) throws Exception {
    Path dataDir = tmp.resolve("broker-data");
    CommandLine cli = runner.commandLine();
    BrokerCommand broker = cli.getSubcommands().get("broker").getCommand();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute(
                    "broker",
                    "--port",
                    "0",
                    "--no-create-topics",
                    "--data-dir",
                    dataDir.toString()));
    assertThat(broker.awaitReady(Duration.ofSeconds(60)))
        .as("ready; stderr: %s", runner.err())
        .isTrue();
    try (Admin admin = admin(broker)) {
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).isEmpty();
    }
    broker.requestStop();

    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(runner.out()).contains("(kept)", "not created (--no-create-topics)");
    assertThat(dataDir.resolve("meta.properties")).isRegularFile();
  }

  @Test
  @Tag("slow")
  void threeBrokersRunAsAReplicatedClusterAndStopTogether() throws Exception {
    CommandLine cli = runner.commandLine();
    BrokerCommand broker = cli.getSubcommands().get("broker").getCommand();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> cli.execute("broker", "--brokers", "3", "--port", "0", "--partitions", "2"));
    assertThat(broker.awaitReady(Duration.ofSeconds(120)))
        .as("ready; stderr: %s", runner.err())
        .isTrue();

    assertThat(broker.bootstrapServers().split(",")).hasSize(3);
    try (Admin admin = admin(broker)) {
      assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(3);
      UpcallTopics topics = UpcallTopics.defaults();
      assertThat(
              admin
                  .describeTopics(List.of(topics.fops()))
                  .allTopicNames()
                  .get(10, TimeUnit.SECONDS)
                  .get(topics.fops())
                  .partitions())
          .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
    }
    assertThat(runner.out())
        .contains(
            "Kafka cluster of 3 brokers ready at " + broker.bootstrapServers(),
            "node 1:",
            "node 3:",
            "created upcall.fops",
            "Ctrl-C");
    Path dataDir = printedDataDir();

    broker.requestStop();

    assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void aDataDirIsRefusedForACluster() {
    CommandLine cli = runner.commandLine();
    assertThat(cli.execute("broker", "--brokers", "3", "--data-dir", "/tmp/x")).isEqualTo(2);
    assertThat(runner.err()).contains("--data-dir works with one broker only");
  }

  private static Admin admin(BrokerCommand broker) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  private Path printedDataDir() {
    Matcher m = Pattern.compile("data: +(\\S+) \\(deleted on exit\\)").matcher(runner.out());
    assertThat(m.find()).as("data line in %s", runner.out()).isTrue();
    return Path.of(m.group(1));
  }
}
