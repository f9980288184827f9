package io.upcall.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from this test's classpath running one main class: everything it prints is kept (to show when it
 * fails), and the line by which it says it is ready can be awaited. {@link #kill()} is a crash without farewell.
 */
final class ChildJvm {
  private final String name;
  private final Process process;
  private final String readyLine;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final StringBuffer output = new StringBuffer();

  private ChildJvm(String name, Process process, String readyLine) {
    this.name = name;
    this.process = process;
    this.readyLine = readyLine;
    Thread pump = new Thread(this::pump, "child-output-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts {@code main} with {@code args} in a JVM of at most {@code maxHeap} (e.g. "128m"), small and quick to start;
   * {@code name} says which child it is in messages, e.g. "streams child a".
   */
  static ChildJvm start(
      String name, String maxHeap, Class<?> main, String readyLine, List<String> args)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx" + maxHeap,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                main.getName()));
    command.addAll(args);
    return new ChildJvm(
        name, new ProcessBuilder(command).redirectErrorStream(true).start(), readyLine);
  }

  /**
   * Returns once the child printed its ready line; when it exits or {@code timeout} passes first, kills it and throws,
   * with what it printed.
   */
  void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.await(50, TimeUnit.MILLISECONDS)) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        String why =
            process.isAlive() ? "not ready within " + timeout : "exited " + process.exitValue();
        process.destroyForcibly();
        throw new IllegalStateException(name + " " + why + "; its output:\n" + output);
      }
    }
  }

  private void pump() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.append(line).append('\n');
        if (line.equals(readyLine)) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      output.append("[output lost: ").append(e).append("]\n");
    }
  }

  Process process() {
    return process;
  }

  /** What the child printed so far. */
  String output() {
    return output.toString();
  }

  /** SIGKILL: nothing committed, flushed or said farewell; returns once the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " survived SIGKILL");
    }
  }
}
