package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.testkit.EmbeddedKafkaExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadCommandTest {

  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  @TempDir Path dir;

  private final CliRunner cli = new CliRunner();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--bricks 4 --replicas 3   | --bricks (4) must be a multiple of --replicas (3)",
        "--read-ratio 1.5          | --read-ratio must be between 0 and 1",
        "--zipf -1                 | --zipf must be a finite number >= 0",
        "--files 0                 | --files must be at least 1",
        "--rate 10 --max-rate      | --rate and --max-rate exclude each other",
        "--rate 0                  | --rate must be a positive number",
        "--duration 0s             | --duration must be positive, was 0s",
        "--duration 5s --count 9   | --duration and --count exclude each other",
        "--duration soon           | Invalid value for option '--duration'",
        "--clients many            | Invalid value for option '--clients'",
        "--duration 10 --count 9   | --duration and --count exclude each other"
      })
  void badValueExitsTwoNamingTheOption(String args, String message) {
    assertThat(cli.run(("load " + args.trim()).split(" +"))).isEqualTo(UpcallCli.EXIT_USAGE);

    assertThat(cli.err()).contains(message, "Try 'upcall load --help'").doesNotContain("\tat ");
  }

  @Test
  void helpHasALineForEveryOption() {
    assertThat(cli.run("load", "--help")).isZero();

    assertThat(cli.out())
        .contains(
            "--bricks=B",
            "--clients=C",
            "--dirs=D",
            "--files=N",
            "--read-ratio=F",
            "--zipf=S",
            "--rate=R",
            "--max-rate",
            "--duration=DURATION",
            "--count=N",
            "--seed=S",
            "--replicas=R",
            "--dump=FILE",
            "Default: 0.8");
  }

  @Test
  void dumpOnlyRunWritesTheSameTraceForTheSameSeed() throws IOException {
    Path first = dir.resolve("first.trace");
    Path second = dir.resolve("second.trace");

    assertThat(
            cli.run(
                "load",
                "--dump",
                first.toString(),
                "--count",
                "5000",
                "--seed",
                "9",
                "--replicas",
                "3",
                "--bricks",
                "3",
                "--files",
                "300"))
        .isZero();
    assertThat(
            cli.run(
                "load",
                "--dump",
                second.toString(),
                "--count",
                "5000",
                "--seed",
                "9",
                "--replicas",
                "3",
                "--bricks",
                "3",
                "--files",
                "300"))
        .isZero();

    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    assertThat(Files.readAllLines(first).size()).isBetween(5_000, 5_002);
    assertThat(cli.out()).contains("dry run, nothing published", "fops by type:", "LOOKUP");
  }

  @Test
  void publishesToTheBrokerAndPrintsTheSummary() {
    String prefix = kafka.uniqueName("load") + ".";

    assertThat(
            cli.run(
                "load",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic-prefix",
                prefix,
                "--count",
                "3000",
                "--max-rate",
                "--files",
                "500"))
        .isZero();

    assertThat(cli.out())
        .contains(
            "records/s acknowledged",
            "acknowledged 3,000, failed 0",
            "send latency p50",
            "fops by type:",
            "CREATE");
    assertThat(cli.err()).contains("created " + prefix + "upcall.fops").doesNotContain("upcall: ");
  }
}
