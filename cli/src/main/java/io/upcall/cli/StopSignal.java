package io.upcall.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a long-running command (broker, streams) is stopped: by {@link #request()} from a test or another command, or by
 * Ctrl-C, whose shutdown hook requests the stop and then holds the JVM, up to a grace period, until the command has
 * closed what it runs and {@link OnCtrlC#close() closed} the hook.
 */
final class StopSignal {

  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Asks the command to stop; safe at any time, also before it started. */
  void request() {
    requested.countDown();
  }

  /** Waits until a stop is requested. */
  void await() throws InterruptedException {
    requested.await();
  }

  /** Waits up to {@code timeout} for a stop request; true when one came. */
  boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    return requested.await(timeout, unit);
  }

  /** Stops the command on Ctrl-C from now on; closing the returned hook says the command has stopped. */
  OnCtrlC onCtrlC(String threadName) {
    Thread hook = new Thread(this::stopFromShutdownHook, threadName);
    Runtime.getRuntime().addShutdownHook(hook);
    return () -> {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException jvmShuttingDown) {
        // Ctrl-C: the hook is what is stopping us.
      }
    };
  }

  private void stopFromShutdownHook() {
    request();
    try {
      // The JVM exits when this hook returns: let the command close what it runs first.
      stopped.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The Ctrl-C hook of a running command; closed when the command has stopped. */
  interface OnCtrlC extends AutoCloseable {
    @Override
    void close();
  }
}
