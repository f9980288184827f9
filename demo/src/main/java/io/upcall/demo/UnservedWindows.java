package io.upcall.demo;

import java.time.Duration;
import java.util.List;

/**
 * The longest time a demo client refused to serve from its cache because it could not prove itself fresh, sampled
 * at every tick of the demo: overall, and since the last {@link #restart()} (for one fault).
 */
final class UnservedWindows {
  private final List<DemoClient> clients;
  private final long[] unfreshSince;
  private long longestNanos;
  private long longestSinceRestartNanos;

  UnservedWindows(List<DemoClient> clients) {
    this.clients = List.copyOf(clients);
    this.unfreshSince = new long[clients.size()];
  }

  /** Samples every client's freshness now. */
  synchronized void sample(long nowNanos) {
    for (int i = 0; i < clients.size(); i++) {
      if (clients.get(i).fresh()) {
        unfreshSince[i] = 0;
      } else if (unfreshSince[i] == 0) {
        unfreshSince[i] = nowNanos;
      } else {
        long window = nowNanos - unfreshSince[i];
        longestNanos = Math.max(longestNanos, window);
        longestSinceRestartNanos = Math.max(longestSinceRestartNanos, window);
      }
    }
  }

  /** Whether every client could serve at the last sample. */
  synchronized boolean allServing() {
    for (long since : unfreshSince) {
      if (since != 0) {
        return false;
      }
    }
    return true;
  }

  /** Starts measuring the longest window afresh (e.g. for the next fault). */
  synchronized void restart() {
    longestSinceRestartNanos = 0;
  }

  synchronized Duration longestSinceRestart() {
    return Duration.ofNanos(longestSinceRestartNanos);
  }

  synchronized Duration longest() {
    return Duration.ofNanos(longestNanos);
  }
}
