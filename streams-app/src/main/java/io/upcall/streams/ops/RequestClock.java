package io.upcall.streams.ops;

import java.util.function.LongSupplier;

/** The time a request judges freshness at: its {@code at} parameter (epoch ms), else the wall clock. */
final class RequestClock {
  /** Query parameter: the event time, epoch ms, freshness is judged at. */
  static final String AT = "at";

  private final LongSupplier wallClockMs;

  RequestClock(LongSupplier wallClockMs) {
    this.wallClockMs = wallClockMs;
  }

  FreshAt freshAt(Query query) {
    String at = query.get(AT);
    if (at == null) {
      return FreshAt.of(FreshAt.NOW, wallClockMs.getAsLong());
    }
    try {
      return FreshAt.of(FreshAt.AT, Long.parseLong(at.trim()));
    } catch (NumberFormatException e) {
      throw new HttpProblem(
          400, "malformed at '" + at + "': an event time in epoch milliseconds is expected");
    }
  }

  long nowMs() {
    return wallClockMs.getAsLong();
  }
}
