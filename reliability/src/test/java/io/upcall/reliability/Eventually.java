package io.upcall.reliability;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.opentest4j.AssertionFailedError;

/** Polls a condition until it holds or a deadline passes. */
final class Eventually {
  private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

  private Eventually() {}

  /** Returns how long it took for {@code condition} to hold; fails naming {@code what} after {@code timeout}. */
  static Duration within(Duration timeout, String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionFailedError("not within " + timeout + ": " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
