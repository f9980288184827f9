package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The operator commands' command lines: bad input is exit 2 naming what was wrong, before anything is contacted. */
class OperatorCommandLineTest {

  private final CliRunner cli = new CliRunner();

  @Test
  void theOperatorCommandsAreListed() {
    assertThat(cli.run("--help")).isZero();

    assertThat(cli.out()).contains("inspect", "stats", "tail", "topics", "config");
  }

  @Test
  void aMalformedGfidNamesIt() {
    assertThat(cli.run("inspect", "inode", "not-a-gfid")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("GFID", "'not-a-gfid'", "Try 'upcall inspect inode --help'");
    assertThat(cli.err()).doesNotContain("\tat ");
  }

  @Test
  void inspectWithoutWhatToInspectIsAUsageError() {
    assertThat(cli.run("inspect")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("Missing subcommand", "Try 'upcall inspect --help'");
  }

  @Test
  void aServerThatIsNotAnHttpUrlIsRefused() {
    assertThat(cli.run("stats", "--server", "ftp://example")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--server", "'ftp://example' is not an http URL");
  }

  @Test
  void aBadTimeoutIsRefusedWithTheAllowedRangeBeforeAnythingIsWritten() {
    // No broker listens on port 1: a write attempt would fail differently (and late).
    assertThat(
            cli.run(
                "config",
                "set",
                "cache-invalidation-timeout",
                "-5",
                "--bootstrap-servers",
                "127.0.0.1:1"))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err())
        .contains(
            "cache-invalidation-timeout must be a whole number of seconds >= 0, got '-5'",
            "Try 'upcall config set --help'");
  }

  @Test
  void aBadSwitchValueIsRefusedWithWhatItAccepts() {
    assertThat(
            cli.run(
                "config",
                "set",
                "cache-invalidation",
                "maybe",
                "--bootstrap-servers",
                "127.0.0.1:1"))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("cache-invalidation must be on or off, got 'maybe'");
  }

  @Test
  void anUnknownOptionIsRefusedListingTheKnownOnes() {
    assertThat(
            cli.run("config", "set", "md-cache-timeout", "5", "--bootstrap-servers", "127.0.0.1:1"))
        .isEqualTo(UpcallCli.EXIT_USAGE);
    assertThat(cli.err())
        .contains("unknown option 'md-cache-timeout'", "cache-invalidation-timeout");

    assertThat(cli.run("config", "get", "md-cache-timeout", "--bootstrap-servers", "127.0.0.1:1"))
        .isEqualTo(UpcallCli.EXIT_USAGE);
  }

  @Test
  void setWithoutAValueNamesTheMissingParameter() {
    assertThat(
            cli.run(
                "config",
                "set",
                "cache-invalidation-timeout",
                "--bootstrap-servers",
                "127.0.0.1:1"))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("VALUE");
  }

  @Test
  void kafkaCommandsTakeTheSameOptionsWithTheSameDefault() {
    for (String command : new String[] {"tail", "topics", "publish", "load", "streams"}) {
      cli.clear();
      assertThat(cli.run(command, "--help")).isZero();
      assertThat(cli.out())
          .as(command)
          .contains(
              "--bootstrap-server=HOST:PORT",
              "Default: localhost:9092",
              "--command-config=FILE",
              "--property=KEY=VALUE",
              "--timeout=DURATION",
              "--topic-prefix=PREFIX");
    }
    for (String command : new String[] {"get", "set"}) {
      cli.clear();
      assertThat(cli.run("config", command, "--help")).isZero();
      assertThat(cli.out())
          .as(command)
          .contains("--bootstrap-server=HOST:PORT", "--timeout=DURATION");
    }
    cli.clear();
    assertThat(cli.run("streams", "--help")).isZero();
    assertThat(cli.out()).contains("--application-id=ID");
  }

  @Test
  void theOlderSpellingsStillWork() {
    assertThat(
            cli.run(
                "topics",
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--client-property",
                "a=b",
                "--partitions",
                "3"))
        .isEqualTo(UpcallCli.EXIT_USAGE);
    assertThat(cli.err()).contains("--partitions applies only with --ensure");
  }

  @Test
  void topicSettingsApplyOnlyWhenEnsuring() {
    assertThat(cli.run("topics", "--bootstrap-servers", "127.0.0.1:1", "--partitions", "3"))
        .isEqualTo(UpcallCli.EXIT_USAGE);
    assertThat(cli.err()).contains("--partitions applies only with --ensure");

    assertThat(
            cli.run(
                "topics", "--bootstrap-servers", "127.0.0.1:1", "--ensure", "--partitions", "0"))
        .isEqualTo(UpcallCli.EXIT_USAGE);
    assertThat(cli.err()).contains("--partitions must be at least 1, was 0");

    assertThat(
            cli.run(
                "topics",
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--ensure",
                "--replication-factor",
                "0"))
        .isEqualTo(UpcallCli.EXIT_USAGE);
    assertThat(cli.err()).contains("--replication-factor must be at least 1, was 0");
  }

  @Test
  void tailNeedsAPositiveMax() {
    assertThat(cli.run("tail", "--bootstrap-servers", "127.0.0.1:1", "--max", "0"))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--max must be at least 1, was 0");
  }

  @Test
  void anHttpPortOutOfRangeIsRefused() {
    assertThat(cli.run("streams", "--http-port", "70000")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err())
        .contains("--http-port must be -1 (none), 0 (any free port) or a port up to 65535");
  }

  @Test
  void aServerThatIsDownIsOneLineAndExitOne() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    String server = "http://127.0.0.1:" + port;

    assertThat(cli.run("stats", "--server", server)).isEqualTo(UpcallCli.EXIT_FAILURE);
    assertThat(
            cli.run("inspect", "inode", "6f1c2f0e-8a4b-4c3e-9d2a-1b5e7c9f0a11", "--server", server))
        .isEqualTo(UpcallCli.EXIT_FAILURE);

    assertThat(cli.err().lines().toList())
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "upcall: cannot reach the streams app at "
                            + server
                            + " (connection refused)"));
    assertThat(cli.out()).isEmpty();
  }
}
