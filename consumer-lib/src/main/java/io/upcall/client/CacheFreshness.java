package io.upcall.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the cache may serve: it must hold proof (a fresh-as-of watermark from the progress marks) that it has
 * applied every invalidation for the changes made up to {@code now − bound}.
 *
 * <p>The watermark is brick event time and {@code now} is this host's wall clock. Bricks and clients are assumed
 * NTP-synchronised; a brick clock running ahead of ours by up to the skew allowance would make the watermark
 * look newer than it is, so the allowance is charged against the bound. (Whether the streams app still tracks a
 * client on an inode is streams-app's {@code TrackingFreshness}.)
 */
final class CacheFreshness {
  private static final long UNKNOWN = Long.MIN_VALUE;

  private final Clock clock;
  private volatile long boundMs = -1;
  private volatile long skewMs;
  private volatile long freshAsOfMs = UNKNOWN;

  CacheFreshness(Clock clock) {
    this.clock = clock;
  }

  void configure(Duration bound, Duration skewAllowance) {
    skewMs = skewAllowance.toMillis();
    boundMs = bound.toMillis();
    freshAsOfMs = UNKNOWN;
  }

  Duration skewAllowance() {
    return Duration.ofMillis(skewMs);
  }

  /** Called by the reader after it applied every record before the mark that proved {@code watermarkMs}. */
  void provenUpTo(long watermarkMs) {
    freshAsOfMs = watermarkMs;
  }

  void lose() {
    freshAsOfMs = UNKNOWN;
  }

  boolean isFresh() {
    long asOf = freshAsOfMs;
    long bound = boundMs;
    return asOf != UNKNOWN && bound >= 0 && clock.millis() + skewMs - asOf <= bound;
  }

  Optional<Instant> freshAsOf() {
    long asOf = freshAsOfMs;
    return asOf == UNKNOWN ? Optional.empty() : Optional.of(Instant.ofEpochMilli(asOf));
  }

  Optional<Duration> age() {
    long asOf = freshAsOfMs;
    return asOf == UNKNOWN
        ? Optional.empty()
        : Optional.of(Duration.ofMillis(clock.millis() - asOf));
  }
}
