package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code upcall demo}'s command line: bad input is a usage error naming the flag; durations as people type them. */
class DemoCommandTest {

  private final CliRunner cli = new CliRunner();

  @Test
  void helpDescribesTheDemoAndExitsZero() {
    assertThat(cli.run("demo", "--help")).isZero();

    assertThat(cli.out())
        .contains("Usage: upcall demo", "--duration", "--bootstrap-server", "stale reads");
  }

  @Test
  void oneClientIsAUsageErrorNamingTheFlag() {
    assertThat(cli.run("demo", "--clients", "1")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--clients must be at least 2", "Try 'upcall demo --help'");
    assertThat(cli.err()).doesNotContain("\tat ");
  }

  @Test
  void aDurationWithAnUnknownUnitIsAUsageError() {
    assertThat(cli.run("demo", "--duration", "3x")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--duration", "3x");
  }

  @Test
  void aNegativeRateIsAUsageErrorNamingTheFlag() {
    assertThat(cli.run("demo", "--rate", "-5")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--rate must be a positive number");
  }

  @Test
  void aDurationSettingOutOfRangeIsShownAsTyped() {
    assertThat(cli.run("demo", "--commit-interval", "0ms")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err())
        .contains("--commit-interval must be positive, was 0s")
        .doesNotContain("PT0S");
  }

  @Test
  void chaosWithoutThreeBrokersIsAUsageErrorNamingBothFlags() {
    assertThat(cli.run("demo", "--chaos")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--chaos needs --brokers 3", "Try 'upcall demo --help'");
    assertThat(cli.err()).doesNotContain("\tat ");
  }

  @Test
  void chaosOnAnExistingClusterIsAUsageError() {
    assertThat(cli.run("demo", "--chaos", "--brokers", "3", "--bootstrap-server", "127.0.0.1:1"))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--brokers starts brokers here", "--bootstrap-server");
  }

  @Test
  void chaosWithoutTheStreamsAppHereIsAUsageError() {
    assertThat(cli.run("demo", "--chaos", "--brokers", "3", "--no-streams"))
        .isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--chaos", "--no-streams");
  }

  @Test
  void brokersOutOfRangeIsAUsageErrorNamingTheFlag() {
    assertThat(cli.run("demo", "--brokers", "0")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--brokers must be between 1 and 9, was 0");
  }

  @Test
  void helpNamesTheChaosFlags() {
    assertThat(cli.run("demo", "--help")).isZero();

    assertThat(cli.out()).contains("--brokers", "--chaos", "kill -9");
  }
}
