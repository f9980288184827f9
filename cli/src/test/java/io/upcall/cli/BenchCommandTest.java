package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Bad command lines are refused before anything (a broker, a topic) is started. */
class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = UpcallCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--partitions 0                                  | --partitions must be at least 1",
            "--sections raw,everything                       | --sections: unknown section 'everything'",
            "--state-pairs 3                                 | --state-pairs must be at least 10",
            "--broker-heap lots                              | --broker-heap must be a JVM size like 1g",
            "--bootstrap-servers h:9092 --in-process-broker  | --bootstrap-servers and --in-process-broker exclude",
            "--partitions many                               | Invalid value for option '--partitions'",
            "--format compact                                | --format must be per-client, batched or both"})
    void badValueExitsTwoNamingTheOptionAndStartsNothing(String args, String message) {
        assertThat(run(("bench " + args.trim()).split(" +"))).isEqualTo(UpcallCli.EXIT_USAGE);

        assertThat(err.toString()).contains(message, "Usage: upcall bench").doesNotContain("\tat ", "starting a broker");
    }
}
