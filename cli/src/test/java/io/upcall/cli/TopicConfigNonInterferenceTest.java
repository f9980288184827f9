package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An operator's retention on an existing topic survives every command that creates missing topics ({@code publish},
 * {@code load}, {@code streams}); only {@code topics --ensure} sets Upcall's.
 */
class TopicConfigNonInterferenceTest {

  private static final String OPERATORS_RETENTION = String.valueOf(Duration.ofHours(1).toMillis());

  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  @TempDir Path dir;

  @Test
  void publishCreatesWhatIsMissingAndLeavesTheRest() throws Exception {
    String prefix = operatedVolume("publish");
    Path trace =
        Files.writeString(
            dir.resolve("one.trace"),
            "{\"ts\": 1, \"client\": \"c\", \"fop\": \"STAT\", \"gfid\": \"f\"}\n");

    CliRunner.Result published =
        CliRunner.once(
            "publish",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix,
            trace.toString());

    assertThat(published.exit()).as(published.err()).isZero();
    assertThat(published.err())
        .contains("created " + prefix + "upcall.invalidations")
        .doesNotContain("created " + prefix + "upcall.fops:", "updated");
    assertThat(retention(prefix + "upcall.fops")).isEqualTo(OPERATORS_RETENTION);
    assertThat(retention(prefix + "upcall.invalidations"))
        .isEqualTo(String.valueOf(TopicSettings.INVALIDATIONS_RETENTION_MS_DEFAULT));
  }

  @Test
  void loadLeavesTheOperatorsRetention() throws Exception {
    String prefix = operatedVolume("load");

    CliRunner.Result loaded =
        CliRunner.once(
            "load",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix,
            "--count",
            "200",
            "--max-rate",
            "--files",
            "20",
            "--dirs",
            "2",
            "--clients",
            "3");

    assertThat(loaded.exit()).as(loaded.err()).isZero();
    assertThat(retention(prefix + "upcall.fops")).isEqualTo(OPERATORS_RETENTION);
  }

  @Test
  void streamsLeavesTheOperatorsRetentionAndTopicsEnsureSetsUpcalls() throws Exception {
    String prefix = operatedVolume("streams");
    CliRunner runner = new CliRunner();
    CommandLine cli = runner.commandLine();
    StreamsCommand streams = cli.getSubcommands().get("streams").getCommand();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute(
                    "streams",
                    "--bootstrap-server",
                    kafka.bootstrapServers(),
                    "--topic-prefix",
                    prefix,
                    "--application-id",
                    kafka.uniqueName("app"),
                    "--http-port",
                    "-1",
                    "--property",
                    "state.dir=" + dir.resolve("state"),
                    "--property",
                    "processing.guarantee=at_least_once"));
    try {
      assertThat(streams.awaitStarted(Duration.ofSeconds(60))).as(runner.err()).isTrue();
      assertThat(runner.err()).contains("upcall streams: started");
      assertThat(retention(prefix + "upcall.fops")).isEqualTo(OPERATORS_RETENTION);
      assertThat(retention(prefix + "upcall.invalidations"))
          .isEqualTo(String.valueOf(TopicSettings.INVALIDATIONS_RETENTION_MS_DEFAULT));
    } finally {
      streams.requestStop();
    }
    assertThat(exit.get(60, TimeUnit.SECONDS)).as(runner.err()).isZero();

    CliRunner.Result ensured =
        CliRunner.once(
            "topics",
            "--ensure",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix);

    assertThat(ensured.exit()).as(ensured.err()).isZero();
    assertThat(ensured.out())
        .contains(
            "updated "
                + prefix
                + "upcall.fops: {retention.ms="
                + OPERATORS_RETENTION
                + " -> "
                + TopicSettings.FOPS_RETENTION_MS_DEFAULT
                + "}");
    assertThat(retention(prefix + "upcall.fops"))
        .isEqualTo(String.valueOf(TopicSettings.FOPS_RETENTION_MS_DEFAULT));
  }

  /** A volume whose fop topic an operator created with one hour of retention; its other topics are missing. */
  private static String operatedVolume(String name) throws Exception {
    String prefix = kafka.uniqueName(name) + ".";
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(UpcallTopics.withPrefix(prefix).fops(), 2, (short) 1)
                      .configs(Map.of("retention.ms", OPERATORS_RETENTION))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    kafka.broker().awaitTopics(List.of(UpcallTopics.withPrefix(prefix).fops()));
    return prefix;
  }

  private static String retention(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      return admin
          .describeConfigs(List.of(resource))
          .all()
          .get(30, TimeUnit.SECONDS)
          .get(resource)
          .get("retention.ms")
          .value();
    }
  }
}
