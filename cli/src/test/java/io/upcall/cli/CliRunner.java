package io.upcall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Runs the launcher in this JVM as a user would and keeps what it prints: the one harness of the CLI tests. A runner
 * accumulates the output of every command it runs; {@link #once} runs one command with its own buffers.
 */
final class CliRunner {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs {@code args} (e.g. {@code "topics", "--ensure"}) and returns the exit code. */
  int run(String... args) {
    return commandLine().execute(args);
  }

  /** A launcher printing into this runner, e.g. to run a command on another thread and stop it from the test. */
  CommandLine commandLine() {
    CommandLine cli = UpcallCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }

  /** What the commands printed on stdout so far. */
  String out() {
    return out.toString();
  }

  /** What the commands printed on stderr so far. */
  String err() {
    return err.toString();
  }

  /** Forgets what was printed so far. */
  void clear() {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
  }

  /** Runs one command with buffers of its own. */
  static Result once(String... args) {
    CliRunner runner = new CliRunner();
    long start = System.nanoTime();
    int exit = runner.run(args);
    return new Result(
        exit, runner.out(), runner.err(), Duration.ofNanos(System.nanoTime() - start));
  }

  /** What a command printed and returned, and how long it took. */
  record Result(int exit, String out, String err, Duration took) {
    JsonNode json() {
      return parse(out);
    }

    static JsonNode parse(String json) {
      try {
        return OpsEndpoint.JSON.readTree(json);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + json, e);
      }
    }
  }
}
