package io.upcall.bench;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event times on a fixed schedule: the load generator asks its clock once per fop it stamps, and this one answers
 * with the start plus one rate interval per question, so that a window's fops carry the times they would have at
 * the nominal rate even when a loaded machine publishes them late. What the app decides by event time (who is
 * fresh, whether an access moves a client's second) is then the same on any machine.
 */
final class ScheduleClock implements InstantSource {
  private final long startMs;
  private final double intervalMs;
  private final AtomicLong asked = new AtomicLong();

  ScheduleClock(long startMs, double ratePerSecond) {
    this.startMs = startMs;
    this.intervalMs = 1000.0 / ratePerSecond;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public long millis() {
    return startMs + (long) (asked.getAndIncrement() * intervalMs);
  }
}
