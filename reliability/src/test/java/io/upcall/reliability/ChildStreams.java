package io.upcall.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A streams app instance in a child JVM started from this test's classpath. {@link #kill()} is a crash
 * ({@code destroyForcibly}, SIGKILL); {@link #close()} is a clean stop (SIGTERM, the app commits and leaves).
 * Everything the child prints is kept, to show when it fails and to check that it logs no secret.
 */
final class ChildStreams implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final String name;
  private final ChildJvm jvm;
  private final Process process;
  private final long startedNanos = System.nanoTime();

  private ChildStreams(String name, ChildJvm jvm) {
    this.name = name;
    this.jvm = jvm;
    this.process = jvm.process();
  }

  /** Starts a child JVM running {@link StreamsProcess} with {@code config}; returns once the app is RUNNING. */
  static ChildStreams start(String name, Map<String, ?> config, Path workDir)
      throws IOException, InterruptedException {
    Path file = workDir.resolve(name + ".properties");
    Properties props = new Properties();
    config.forEach((key, value) -> props.setProperty(key, String.valueOf(value)));
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "streams instance " + name);
    }
    ChildStreams child =
        new ChildStreams(
            name,
            ChildJvm.start(
                "streams child " + name,
                "384m",
                StreamsProcess.class,
                StreamsProcess.RUNNING,
                List.of(file.toString())));
    child.jvm.awaitReady(START_TIMEOUT);
    return child;
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
    jvm.kill();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What the child printed so far. */
  String output() {
    return jvm.output();
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
    return "streams child "
        + name
        + " (pid "
        + process.pid()
        + (process.isAlive() ? ", alive)" : ", gone)");
  }
}
