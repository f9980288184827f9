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

/** A {@link BrickProcess} in a child JVM on this test's classpath; {@link #kill()} is a crash without farewell. */
final class ChildBrick implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final StringBuffer output = new StringBuffer();

  private ChildBrick(Process process) {
    this.process = process;
    Thread pump = new Thread(this::pump, "child-brick-output");
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts the brick and returns once its first write is acknowledged. */
  static ChildBrick start(String bootstrapServers, String topicPrefix, String brick, Duration deliveryTimeout,
      Duration maxBlock, Duration heartbeatInterval) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classpath, BrickProcess.class.getName(), bootstrapServers, topicPrefix, brick,
        Long.toString(deliveryTimeout.toMillis()), Long.toString(maxBlock.toMillis()),
        Long.toString(heartbeatInterval.toMillis())));
    ChildBrick child = new ChildBrick(new ProcessBuilder(command).redirectErrorStream(true).start());
    if (!child.ready.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      child.process.destroyForcibly();
      throw new IllegalStateException("brick child not ready within " + START_TIMEOUT + "; its output:\n"
          + child.output);
    }
    return child;
  }

  private void pump() {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.append(line).append('\n');
        if (line.equals(BrickProcess.READY)) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      output.append("[output lost: ").append(e).append("]\n");
    }
  }

  /** SIGKILL: no farewell heartbeat, nothing flushed; returns once the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("brick child survived SIGKILL");
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
