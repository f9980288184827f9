package io.upcall.client;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** One fake time source behind both the cache's ticker and its wall clock, moved by tests. */
final class FakeTime extends Clock implements Ticker {
  private final AtomicLong epochNanos = new AtomicLong(Duration.ofDays(20_000).toNanos());

  void advance(Duration duration) {
    epochNanos.addAndGet(duration.toNanos());
  }

  long nowMs() {
    return epochNanos.get() / 1_000_000;
  }

  @Override
  public long read() {
    return epochNanos.get();
  }

  @Override
  public long millis() {
    return nowMs();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(nowMs());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
