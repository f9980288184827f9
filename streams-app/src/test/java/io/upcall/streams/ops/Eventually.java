package io.upcall.streams.ops;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/** Polls until a value meets a condition or a deadline passes. */
final class Eventually {
  private static final long POLL_NANOS = Duration.ofMillis(50).toNanos();

  private Eventually() {}

  /** The first value of {@code value} that {@code condition} accepts; fails naming {@code what} and the last value. */
  static <T> T within(Duration timeout, String what, Supplier<T> value, Predicate<T> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T current = value.get();
      if (condition.test(current)) {
        return current;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionFailedError("not within " + timeout + ": " + what + "; last: " + current);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
