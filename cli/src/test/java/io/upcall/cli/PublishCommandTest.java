package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.testkit.EmbeddedKafkaExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class PublishCommandTest {

  private static final String CLIENT =
      "CTX_ID:aaaaaaaa-0000-4000-8000-000000000001-GRAPH_ID:0-PID:11-HOST:a"
          + "-PC_NAME:vol0-client-0-RECON_NO:-0";

  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  @TempDir Path dir;

  private final CliRunner cli = new CliRunner();

  private Path trace(String... lines) throws IOException {
    return Files.write(dir.resolve("fops.trace"), String.join("\n", lines).concat("\n").getBytes());
  }

  private static String line(String rest) {
    return "{\"ts\": "
        + System.currentTimeMillis()
        + ", \"client\": \""
        + CLIENT
        + "\", "
        + rest
        + "}";
  }

  @Test
  void publishesATraceSkippingMalformedLinesByNumber() throws IOException {
    Path trace =
        trace(
            line("\"fop\": \"REGISTER_XATTRS\", \"xattrs\": [\"user.*\"]"),
            line("\"fop\": \"CREATE\", \"gfid\": \"f1\", \"parent\": \"root\""),
            "{not json",
            line("\"fop\": \"WRITE\", \"gfid\": \"f1\""));

    assertThat(
            cli.run(
                "publish",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic-prefix",
                kafka.uniqueName("publish") + ".",
                trace.toString()))
        .isZero();

    assertThat(cli.out())
        .contains(
            "2 fops and 1 xattr registrations from 1 brick(s)",
            "1 malformed line(s) skipped, 0 failed");
    assertThat(cli.err()).contains("line 3: not valid JSON").contains("(skipped)");
  }

  @Test
  void abortStopsAtTheFirstMalformedLineWithExitTwo() throws IOException {
    Path trace =
        trace(
            line("\"fop\": \"STAT\", \"gfid\": \"f1\""),
            line("\"fop\": \"UNLINK\", \"gfid\": \"f1\""));

    assertThat(
            cli.run(
                "publish",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--on-error",
                "abort",
                "--topic-prefix",
                kafka.uniqueName("publish") + ".",
                trace.toString()))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err())
        .contains("aborted at line 2: parent is required for UNLINK (--on-error=abort)")
        .doesNotContain("\tat ");
  }

  @Test
  void missingTraceFileIsAUsageError() {
    assertThat(
            cli.run(
                "publish",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--no-create-topics",
                dir.resolve("nope.trace").toString()))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("TRACE file not found", "Try 'upcall publish --help'");
  }

  @Test
  void badOnErrorValueNamesTheOption() {
    assertThat(cli.run("publish", "--bootstrap-servers", "127.0.0.1:9", "--on-error", "maybe"))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--on-error", "expected skip or abort, was 'maybe'");
  }
}
