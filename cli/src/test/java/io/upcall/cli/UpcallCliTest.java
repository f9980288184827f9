package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UpcallCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = UpcallCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsTheSubcommandsAndExitsZero() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString()).contains("Usage: upcall", "version", "broker");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void everySubcommandAnswersHelp() {
        for (CommandLine sub : UpcallCli.commandLine().getSubcommands().values()) {
            out.getBuffer().setLength(0);
            String name = sub.getCommandName();

            assertThat(run(name, "--help")).as(name + " --help").isZero();
            assertThat(out.toString()).as(name + " --help").contains("Usage: upcall " + name);
        }
    }

    @Test
    void noSubcommandPrintsTheUsage() {
        assertThat(run()).isZero();

        assertThat(out.toString()).contains("Usage: upcall", "broker");
    }

    @Test
    void unknownOptionPrintsTheProblemAndUsageAndExitsTwo() {
        assertThat(run("--frobnicate")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("Unknown option: '--frobnicate'", "Usage: upcall");
        assertThat(err.toString()).doesNotContain("Exception", "\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badValueNamesTheOptionAndShowsTheSubcommandUsage() {
        assertThat(run("broker", "--port", "not-a-number")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--port", "not-a-number", "Usage: upcall broker");
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void outOfRangeValueIsAUsageError() {
        assertThat(run("broker", "--partitions", "0")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--partitions must be at least 1", "Usage: upcall broker");
    }

    @Test
    void versionPrintsProjectKafkaAndAvroVersions() {
        assertThat(run("version")).isZero();

        assertThat(out.toString())
                .containsPattern("(?m)^upcall \\d+\\.\\d+\\.\\d+")
                .contains("kafka 4.4.0", "avro 1.12.1", "java ");
    }

    @Test
    void versionOptionMatchesVersionCommand() {
        assertThat(run("--version")).isZero();

        assertThat(out.toString()).contains("upcall " + UpcallVersion.projectVersion(), "kafka 4.4.0");
    }

    @Test
    void failureInsideACommandIsOneLineWithoutStackTraceAndExitsOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(run("broker", "--port", String.valueOf(taken.getLocalPort()))).isEqualTo(UpcallCli.EXIT_FAILURE);
        }

        assertThat(err.toString())
                .startsWith("upcall: port ")
                .contains("is in use", "--verbose")
                .doesNotContain("\tat ", "Exception");
    }

    @Test
    void verboseAddsTheStackTrace() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(run("broker", "--verbose", "--port", String.valueOf(taken.getLocalPort())))
                    .isEqualTo(UpcallCli.EXIT_FAILURE);
        }

        assertThat(err.toString()).startsWith("upcall: port ").contains("IllegalStateException", "\tat ");
    }
}
