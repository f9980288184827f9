package io.upcall.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A streams app instance in a child JVM started from this test's classpath. {@link #kill()} is a crash
 * ({@code destroyForcibly}, SIGKILL); {@link #close()} is a clean stop (SIGTERM, the app commits and leaves).
 * Everything the child prints is kept, to show when it fails and to check that it logs no secret.
 */
final class ChildStreams implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final String name;
  private final Process process;
  private final CountDownLatch running = new CountDownLatch(1);
  private final StringBuffer output = new StringBuffer();
  private final long startedNanos = System.nanoTime();

  private ChildStreams(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread pump = new Thread(this::pump, "child-output-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts a child JVM running {@link StreamsProcess} with {@code config}; returns once the app is RUNNING. */
  static ChildStreams start(String name, Map<String, ?> config, Path workDir) throws IOException, InterruptedException {
    Path file = workDir.resolve(name + ".properties");
    Properties props = new Properties();
    config.forEach((key, value) -> props.setProperty(key, String.valueOf(value)));
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "streams instance " + name);
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classpath, StreamsProcess.class.getName(), file.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    ChildStreams child = new ChildStreams(name, process);
    child.awaitRunning();
    return child;
  }

  private void awaitRunning() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!running.await(50, TimeUnit.MILLISECONDS)) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        String why = process.isAlive() ? "not RUNNING within " + START_TIMEOUT : "exited " + process.exitValue();
        process.destroyForcibly();
        throw new IllegalStateException("streams child " + name + " " + why + "; its output:\n" + output);
      }
    }
  }

  private void pump() {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.append(line).append('\n');
        if (line.equals(StreamsProcess.RUNNING)) {
          running.countDown();
        }
      }
    } catch (IOException e) {
      output.append("[output lost: ").append(e).append("]\n");
    }
  }

  /** How long the child took from launch to RUNNING (valid once started). */
  Duration startup() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  long pid() {
    return process.pid();
  }

  /** A crash: SIGKILL, nothing committed, flushed or left; returns once the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("streams child " + name + " survived SIGKILL");
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What the child printed so far. */
  String output() {
    return output.toString();
  }

  /** A clean stop (SIGTERM: the app commits and leaves the group); kills it if that takes too long. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(45, TimeUnit.SECONDS)) {
      kill();
    }
  }

  @Override
  public String toString() {
    return "streams child " + name + " (pid " + process.pid() + (process.isAlive() ? ", alive)" : ", gone)");
  }

}
