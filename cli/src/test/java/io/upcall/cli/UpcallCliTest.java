package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UpcallCliTest {

  private final CliRunner cli = new CliRunner();

  @Test
  void helpListsTheSubcommandsAndExitsZero() {
    assertThat(cli.run("--help")).isZero();

    assertThat(cli.out()).contains("Usage: upcall", "version", "broker");
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void everySubcommandAnswersHelp() {
    for (CommandLine sub : UpcallCli.commandLine().getSubcommands().values()) {
      cli.clear();
      String name = sub.getCommandName();

      assertThat(cli.run(name, "--help")).as(name + " --help").isZero();
      assertThat(cli.out()).as(name + " --help").contains("Usage: upcall " + name);
    }
  }

  @Test
  void noSubcommandPrintsTheUsage() {
    assertThat(cli.run()).isZero();

    assertThat(cli.out()).contains("Usage: upcall", "broker");
  }

  @Test
  void unknownOptionPrintsTheProblemAndUsageAndExitsTwo() {
    assertThat(cli.run("--frobnicate")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("Unknown option: '--frobnicate'", "Try 'upcall --help'");
    assertThat(cli.err()).doesNotContain("Exception", "\tat ", "Usage:");
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void badValueNamesTheOptionAndShowsTheSubcommandUsage() {
    assertThat(cli.run("broker", "--port", "not-a-number")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--port", "not-a-number", "Try 'upcall broker --help'");
    assertThat(cli.err()).doesNotContain("\tat ");
  }

  @Test
  void outOfRangeValueIsAUsageError() {
    assertThat(cli.run("broker", "--partitions", "0")).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains("--partitions must be at least 1", "Try 'upcall broker --help'");
  }

  @Test
  void versionPrintsProjectKafkaAndAvroVersions() {
    assertThat(cli.run("version")).isZero();

    assertThat(cli.out())
        .containsPattern("(?m)^upcall \\d+\\.\\d+\\.\\d+")
        .contains("kafka 4.4.0", "avro 1.12.1", "java ");
  }

  @Test
  void versionOptionMatchesVersionCommand() {
    assertThat(cli.run("--version")).isZero();

    assertThat(cli.out()).contains("upcall " + UpcallVersion.projectVersion(), "kafka 4.4.0");
  }

  @Test
  void failureInsideACommandIsOneLineWithoutStackTraceAndExitsOne() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(cli.run("broker", "--port", String.valueOf(taken.getLocalPort())))
          .isEqualTo(UpcallCli.EXIT_FAILURE);
    }

    assertThat(cli.err())
        .startsWith("upcall: port ")
        .contains("is in use", "--verbose")
        .doesNotContain("\tat ", "Exception");
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(cli.run("broker", "--verbose", "--port", String.valueOf(taken.getLocalPort())))
          .isEqualTo(UpcallCli.EXIT_FAILURE);
    }

    assertThat(cli.err()).startsWith("upcall: port ").contains("IllegalStateException", "\tat ");
  }
}
