package io.upcall.demo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Fop→cache latency: from the moment a brick handed a fop to its publisher to the moment another client's cache
 * had applied the invalidation it caused (the client's listener runs after the cache applied it). The invalidation
 * names its causing fop's id, which ties the two together.
 */
final class LatencyProbe {
  private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(2);
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final Map<String, Long> publishedAtNanos = new ConcurrentHashMap<>();
  private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram total = new Histogram(HIGHEST_MICROS, 3);

  /** The recorder's last interval histogram, handed back for reuse. */
  private Histogram recycled;

  /** A brick is about to hand fop {@code fopId} to its publisher. */
  void published(String fopId) {
    publishedAtNanos.put(fopId, System.nanoTime());
  }

  /** A client's cache applied an invalidation caused by {@code causeFopId}; fops of other sources are not timed. */
  void applied(String causeFopId) {
    Long start = causeFopId == null ? null : publishedAtNanos.get(causeFopId);
    if (start != null) {
      long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
      recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
    }
  }

  /** Moves what was recorded since the last call into the totals; returns the latencies of that interval. */
  synchronized Histogram nextInterval() {
    Histogram interval = recorder.getIntervalHistogram(recycled);
    recycled = interval;
    total.add(interval);
    // One fop invalidates several clients at different moments, so its start is kept until none can
    // still come.
    long horizon = System.nanoTime() - FORGET_AFTER_NANOS;
    publishedAtNanos.values().removeIf(start -> start - horizon < 0);
    return interval.copy();
  }

  /** Every latency moved in by {@link #nextInterval()} so far. */
  synchronized Histogram total() {
    return total.copy();
  }
}
