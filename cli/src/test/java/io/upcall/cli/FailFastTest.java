package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command that talks to Kafka checks the cluster first: against a port where no broker listens it fails within
 * its --timeout (plus start-up) with one line on stderr naming the address, exit 1, and prints nothing else.
 */
class FailFastTest {

  private static final String NOWHERE = "127.0.0.1:1";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** Start-up of the command and its clients on a loaded 2-core box, on top of the timeout. */
  private static final Duration SLACK = Duration.ofSeconds(10);

  private static final String ONE_LINE =
      "upcall: cannot reach Kafka at "
          + NOWHERE
          + " within 2s (is a broker "
          + "running there? see --bootstrap-server)";

  @TempDir static Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "tail",
        "topics",
        "topics --ensure",
        "config get",
        "config set cache-invalidation off",
        "publish TRACE",
        "load --count 10",
        "streams --http-port -1",
        "demo --duration 5s"
      })
  void aClusterThatDoesNotAnswerIsOneLineAndExitOne(String command) throws IOException {
    List<String> args = args(command);

    CliRunner.Result result = CliRunner.once(args.toArray(String[]::new));

    assertThat(result.exit()).as(result.err()).isEqualTo(UpcallCli.EXIT_FAILURE);
    assertThat(result.err()).isEqualTo(ONE_LINE + System.lineSeparator());
    assertThat(result.out()).isEmpty();
    assertThat(result.took()).isLessThan(TIMEOUT.plus(SLACK));
  }

  /** In a JVM of its own, as a user runs it: the Kafka clients' connection warnings do not reach the console. */
  @Test
  void theWholeConsoleIsThatOneLine() throws Exception {
    for (String command : List.of("topics", "publish TRACE")) {
      List<String> java =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  UpcallCli.class.getName()));
      java.addAll(args(command));
      Process process =
          new ProcessBuilder(java)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(command).isTrue();
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(process.exitValue()).as(command + ": " + err).isEqualTo(UpcallCli.EXIT_FAILURE);
      assertThat(err).as(command).isEqualTo(ONE_LINE + System.lineSeparator());
      assertThat(out).as(command).isEmpty();
    }
  }

  private static List<String> args(String command) throws IOException {
    Path trace =
        Files.writeString(
            dir.resolve("one.trace"),
            "{\"ts\": 1, \"client\": \"c\", \"fop\": \"STAT\", \"gfid\": \"f\"}\n");
    List<String> args = new ArrayList<>();
    for (String word : command.split(" ")) {
      args.add(word.equals("TRACE") ? trace.toString() : word);
    }
    args.addAll(List.of("--bootstrap-server", NOWHERE, "--timeout", "2s"));
    return args;
  }
}
