package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad command lines are refused before anything (a broker, a topic) is started. */
class BenchCommandTest {

  private final CliRunner cli = new CliRunner();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--partitions 0                                  | --partitions must be at least 1",
        "--sections raw,everything                       | --sections: unknown section 'everything'",
        "--state-pairs 3                                 | --state-pairs must be at least 10",
        "--broker-heap lots                              | --broker-heap must be a JVM size like 1g",
        "--bootstrap-servers h:9092 --in-process-broker  | --bootstrap-server and --in-process-broker exclude",
        "--partitions many                               | Invalid value for option '--partitions'",
        "--format compact                                | --format must be per-client, batched or both"
      })
  void badValueExitsTwoNamingTheOptionAndStartsNothing(String args, String message) {
    assertThat(cli.run(("bench " + args.trim()).split(" +"))).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err())
        .contains(message, "Try 'upcall bench --help'")
        .doesNotContain("\tat ", "starting a broker");
  }
}
