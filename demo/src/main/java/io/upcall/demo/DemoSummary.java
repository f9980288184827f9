package io.upcall.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a demo run showed.
 *
 * @param elapsed how long traffic flowed
 * @param setup one line saying what ran (guarantee, broker, streams app)
 * @param demoFops fops the demo's clients issued through their bricks (lookups that missed, and changes)
 * @param loadFops fop records the background load generator published
 * @param invalidationsApplied invalidations the demo clients' caches applied
 * @param latencyCount invalidations whose fop→cache latency was measured
 * @param latencyP50 median time from a brick's publish to another client's cache having applied the change
 * @param latencyP99 99th percentile of that time
 * @param latencyMax the longest such time
 * @param lookups lookups by the demo's clients
 * @param hits lookups answered from a cache (each checked against the truth)
 * @param unfreshMisses lookups the cache refused because it could not prove itself fresh
 * @param withinBound cached answers that had been replaced, but for no longer than the staleness bound
 * @param staleReads cached answers replaced longer than the staleness bound before they were served
 * @param stalenessBound the bound the clients promise
 * @param publishFailures fops the bricks' publishers reported failed
 * @param staleSamples a few stale reads, described, for a bug report
 * @param failure why the demo stopped early, or null
 * @param faults the faults the chaos demo injected, in order (empty without chaos)
 * @param longestUnserved the longest a client refused to serve from its cache because it could not prove itself fresh
 */
public record DemoSummary(
    Duration elapsed,
    String setup,
    long demoFops,
    long loadFops,
    long invalidationsApplied,
    long latencyCount,
    Duration latencyP50,
    Duration latencyP99,
    Duration latencyMax,
    long lookups,
    long hits,
    long unfreshMisses,
    long withinBound,
    long staleReads,
    Duration stalenessBound,
    long publishFailures,
    List<String> staleSamples,
    String failure,
    List<FaultOutcome> faults,
    Duration longestUnserved) {

  public DemoSummary {
    staleSamples = List.copyOf(staleSamples);
    faults = List.copyOf(faults);
  }

  /** Fops published by the bricks of the demo and of the load. */
  public long fops() {
    return demoFops + loadFops;
  }

  /** The share of lookups answered from a cache, 0 when there were none. */
  public double hitRatio() {
    return lookups == 0 ? 0 : (double) hits / lookups;
  }

  /**
   * True when the product showed what it promises: traffic flowed, caches served answers and applied
   * invalidations, and no cached answer was older than the staleness bound.
   */
  public boolean ok() {
    return failure == null
        && staleReads == 0
        && hits > 0
        && invalidationsApplied > 0
        && fops() > 0
        && faults.stream().allMatch(fault -> fault.error() == null);
  }

  /** 0 when {@link #ok()}, 1 otherwise. */
  public int exitCode() {
    return ok() ? 0 : 1;
  }

  /** The summary as people read it. */
  public void print(PrintWriter out) {
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-9);
    out.printf(
        Locale.ROOT,
        "%nupcall demo summary: %.1f s of traffic; %s%n",
        elapsed.toNanos() / 1e9,
        setup);
    out.printf(
        Locale.ROOT,
        "  fops published       %,d (%,.0f/s): demo clients %,d, load generator %,d%n",
        fops(),
        fops() / seconds,
        demoFops,
        loadFops);
    out.printf(
        Locale.ROOT,
        "  invalidations        %,d applied by the demo clients' caches (%,.0f/s)%n",
        invalidationsApplied,
        invalidationsApplied / seconds);
    out.printf(
        Locale.ROOT,
        "  fop->cache latency   p50 %s, p99 %s, max %s (%,d measured)%n",
        millis(latencyP50),
        millis(latencyP99),
        millis(latencyMax),
        latencyCount);
    out.printf(
        Locale.ROOT,
        "  cache hit ratio      %.1f %% (%,d of %,d lookups; %,d refused while not provably fresh)%n",
        100 * hitRatio(),
        hits,
        lookups,
        unfreshMisses);
    out.printf(
        Locale.ROOT,
        "  stale reads          %,d of %,d cached answers checked against the truth "
            + "(%,d were replaced less than the %s bound before)%n",
        staleReads,
        hits,
        withinBound,
        millis(stalenessBound));
    if (!faults.isEmpty()) {
      out.printf(
          Locale.ROOT,
          "  longest unserved     %s (the longest a client refused to serve from its cache, "
              + "not provably fresh)%n",
          millis(longestUnserved));
    }
    if (publishFailures > 0) {
      out.printf(Locale.ROOT, "  publish failures     %,d%n", publishFailures);
    }
    for (int i = 0; i < faults.size(); i++) {
      FaultOutcome fault = faults.get(i);
      out.printf(
          Locale.ROOT,
          "  fault %d              %s: over in %.1f s, longest unserved %s%s%n",
          i + 1,
          fault.fault(),
          fault.healedIn().toMillis() / 1000.0,
          millis(fault.longestUnserved()),
          fault.error() == null ? "" : "; FAILED: " + fault.error());
    }
    for (String sample : staleSamples) {
      out.println("    stale: " + sample);
    }
    if (failure != null) {
      out.println("  FAILED: " + failure);
    } else if (ok()) {
      out.println(
          "  OK: every cached answer was current, or replaced for less than the staleness bound");
    } else if (staleReads > 0) {
      out.println("  FAILED: caches served answers older than the staleness bound");
    } else if (faults.stream().anyMatch(fault -> fault.error() != null)) {
      out.println("  FAILED: a fault could not be carried out or healed");
    } else {
      out.println(
          "  FAILED: nothing to judge (no cached answers or no invalidations): is the streams app running?");
    }
    out.flush();
  }

  static String millis(Duration duration) {
    long micros = duration.toNanos() / 1000;
    return micros >= 10_000
        ? String.format(Locale.ROOT, "%,d ms", micros / 1000)
        : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }
}
