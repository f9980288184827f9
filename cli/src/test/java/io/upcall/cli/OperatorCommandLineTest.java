package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The operator commands' command lines: bad input is exit 2 naming what was wrong, before anything is contacted. */
class OperatorCommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = UpcallCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void theOperatorCommandsAreListed() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString()).contains("inspect", "stats", "tail", "topics", "config");
    }

    @Test
    void aMalformedGfidNamesIt() {
        assertThat(run("inspect", "inode", "not-a-gfid")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("GFID", "'not-a-gfid'", "Usage: upcall inspect inode");
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void inspectWithoutWhatToInspectIsAUsageError() {
        assertThat(run("inspect")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("Missing subcommand", "Usage: upcall inspect");
    }

    @Test
    void aServerThatIsNotAnHttpUrlIsRefused() {
        assertThat(run("stats", "--server", "ftp://example")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--server", "'ftp://example' is not an http URL");
    }

    @Test
    void aBadTimeoutIsRefusedWithTheAllowedRangeBeforeAnythingIsWritten() {
        // No broker listens on port 1: a write attempt would fail differently (and late).
        assertThat(run("config", "set", "cache-invalidation-timeout", "-5", "--bootstrap-servers", "127.0.0.1:1"))
                .isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("cache-invalidation-timeout must be a whole number of seconds >= 0, got '-5'",
                "Usage: upcall config set");
    }

    @Test
    void aBadSwitchValueIsRefusedWithWhatItAccepts() {
        assertThat(run("config", "set", "cache-invalidation", "maybe", "--bootstrap-servers", "127.0.0.1:1"))
                .isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("cache-invalidation must be on or off, got 'maybe'");
    }

    @Test
    void anUnknownOptionIsRefusedListingTheKnownOnes() {
        assertThat(run("config", "set", "md-cache-timeout", "5", "--bootstrap-servers", "127.0.0.1:1"))
                .isEqualTo(UpcallCli.EXIT_USAGE);
        assertThat(err.toString()).contains("unknown option 'md-cache-timeout'", "cache-invalidation-timeout");

        assertThat(run("config", "get", "md-cache-timeout", "--bootstrap-servers", "127.0.0.1:1"))
                .isEqualTo(UpcallCli.EXIT_USAGE);
    }

    @Test
    void setWithoutAValueNamesTheMissingParameter() {
        assertThat(run("config", "set", "cache-invalidation-timeout", "--bootstrap-servers", "127.0.0.1:1"))
                .isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("VALUE");
    }

    @Test
    void kafkaCommandsNeedTheBootstrapServers() {
        assertThat(run("topics")).isEqualTo(UpcallCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--bootstrap-servers");

        assertThat(run("tail")).isEqualTo(UpcallCli.EXIT_USAGE);
    }

    @Test
    void topicSettingsApplyOnlyWhenEnsuring() {
        assertThat(run("topics", "--bootstrap-servers", "127.0.0.1:1", "--partitions", "3"))
                .isEqualTo(UpcallCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--partitions applies only with --ensure");

        assertThat(run("topics", "--bootstrap-servers", "127.0.0.1:1", "--ensure", "--partitions", "0"))
                .isEqualTo(UpcallCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--partitions must be at least 1, was 0");

        assertThat(run("topics", "--bootstrap-servers", "127.0.0.1:1", "--ensure", "--replication-factor", "0"))
                .isEqualTo(UpcallCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--replication-factor must be at least 1, was 0");
    }

    @Test
    void tailNeedsAPositiveMax() {
        assertThat(run("tail", "--bootstrap-servers", "127.0.0.1:1", "--max", "0")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--max must be at least 1, was 0");
    }

    @Test
    void anHttpPortOutOfRangeIsRefused() {
        assertThat(run("streams", "--http-port", "70000")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--http-port must be -1 (none), 0 (any free port) or a port up to 65535");
    }

    @Test
    void aServerThatIsDownIsOneLineAndExitOne() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        String server = "http://127.0.0.1:" + port;

        assertThat(run("stats", "--server", server)).isEqualTo(UpcallCli.EXIT_FAILURE);
        assertThat(run("inspect", "inode", "6f1c2f0e-8a4b-4c3e-9d2a-1b5e7c9f0a11", "--server", server))
                .isEqualTo(UpcallCli.EXIT_FAILURE);

        assertThat(err.toString().lines().toList()).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("upcall: cannot reach the streams app at " + server + " (connection refused)"));
        assertThat(out.toString()).isEmpty();
    }
}
