package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code upcall demo}'s command line: bad input is a usage error naming the flag; durations as people type them. */
class DemoCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = UpcallCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpDescribesTheDemoAndExitsZero() {
        assertThat(run("demo", "--help")).isZero();

        assertThat(out.toString()).contains("Usage: upcall demo", "--duration", "--bootstrap-servers", "stale reads");
    }

    @Test
    void oneClientIsAUsageErrorNamingTheFlag() {
        assertThat(run("demo", "--clients", "1")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--clients must be at least 2", "Usage: upcall demo");
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void aDurationWithAnUnknownUnitIsAUsageError() {
        assertThat(run("demo", "--duration", "3x")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--duration", "3x");
    }

    @Test
    void aNegativeRateIsAUsageErrorNamingTheFlag() {
        assertThat(run("demo", "--rate", "-5")).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains("--rate must be a positive number");
    }

    @Test
    void aBareNumberIsSecondsAndUnitsAreUnderstood() {
        DemoCommand.DurationConverter converter = new DemoCommand.DurationConverter();

        assertThat(converter.convert("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(converter.convert("PT1H")).isEqualTo(Duration.ofHours(1));
    }
}
