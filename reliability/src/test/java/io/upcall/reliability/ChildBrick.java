package io.upcall.reliability;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** A {@link BrickProcess} in a child JVM on this test's classpath; {@link #kill()} is a crash without farewell. */
final class ChildBrick implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final ChildJvm jvm;

  private ChildBrick(ChildJvm jvm) {
    this.jvm = jvm;
  }

  /** Starts the brick and returns once its first write is acknowledged. */
  static ChildBrick start(
      String bootstrapServers,
      String topicPrefix,
      String brick,
      Duration deliveryTimeout,
      Duration maxBlock,
      Duration heartbeatInterval)
      throws IOException, InterruptedException {
    ChildJvm jvm =
        ChildJvm.start(
            "brick child",
            "128m",
            BrickProcess.class,
            BrickProcess.READY,
            List.of(
                bootstrapServers,
                topicPrefix,
                brick,
                Long.toString(deliveryTimeout.toMillis()),
                Long.toString(maxBlock.toMillis()),
                Long.toString(heartbeatInterval.toMillis())));
    jvm.awaitReady(START_TIMEOUT);
    return new ChildBrick(jvm);
  }

  /** SIGKILL: no farewell heartbeat, nothing flushed; returns once the process is gone. */
  void kill() throws InterruptedException {
    jvm.kill();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
