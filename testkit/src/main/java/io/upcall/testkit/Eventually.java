package io.upcall.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/** Waits in tests for a condition on real components to hold (or never to), with a deadline instead of a sleep. */
public final class Eventually {
  private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

  private Eventually() {}

  /** Returns how long it took for {@code condition} to hold; fails naming {@code what} after {@code timeout}. */
  public static Duration within(Duration timeout, String what, BooleanSupplier condition) {
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

  /** The first value of {@code value} that {@code condition} accepts; fails naming {@code what} and the last value. */
  public static <T> T within(
      Duration timeout, String what, Supplier<T> value, Predicate<T> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T current = value.get();
      if (condition.test(current)) {
        return current;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionFailedError(
            "not within " + timeout + ": " + what + "; last: " + current);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Fails if {@code condition} ever holds during {@code period}. */
  public static void never(Duration period, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + period.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (condition.getAsBoolean()) {
        throw new AssertionFailedError("happened within " + period + ": " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
