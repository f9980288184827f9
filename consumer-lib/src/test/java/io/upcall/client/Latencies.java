package io.upcall.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** fop→cache latencies measured across the end-to-end tests, reported at the end of the run. */
final class Latencies {
  private static final List<Double> MILLIS = Collections.synchronizedList(new ArrayList<>());

  private Latencies() {}

  static void record(long nanos) {
    MILLIS.add(nanos / 1e6);
  }

  static int count() {
    return MILLIS.size();
  }

  /** The {@code p}th percentile (0..100), nearest rank. */
  static double percentile(double p) {
    List<Double> sorted;
    synchronized (MILLIS) {
      sorted = new ArrayList<>(MILLIS);
    }
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static String summary() {
    return String.format(
        "fop->cache latency over %d invalidations: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        count(), percentile(50), percentile(99), percentile(100));
  }
}
