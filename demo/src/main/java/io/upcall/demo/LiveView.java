package io.upcall.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * The demo's live status, once a second: a compact block redrawn in place on a terminal, else one line per
 * second (for logs and pipes).
 */
final class LiveView {
  /** One second of the running demo: totals so far and rates over the last interval. */
  record Frame(
      double elapsedSeconds,
      Duration duration,
      double fopsPerSecond,
      double demoFopsPerSecond,
      double loadFopsPerSecond,
      double invalidationsPerSecond,
      long invalidations,
      Duration p50,
      Duration p99,
      long latencyCount,
      double hitRatio,
      Duration freshAsOfAge,
      long checked,
      long withinBound,
      long stale,
      long publishFailures) {}

  private static final int MAX_ANNOUNCEMENTS = 6;

  private final PrintWriter out;
  private final boolean terminal;
  private final String header;
  private final Duration bound;
  private final Deque<String> announcements = new ArrayDeque<>();
  private String chaosStatus;
  private int linesDrawn;

  LiveView(PrintWriter out, boolean terminal, String header, Duration bound) {
    this.out = out;
    this.terminal = terminal;
    this.header = header;
    this.bound = bound;
  }

  /**
   * A fault step of the chaos demo: printed at once as its own line, or on a terminal kept with the last few under
   * the block, which is redrawn every second.
   */
  synchronized void announce(String line) {
    if (terminal) {
      announcements.addLast(line);
      while (announcements.size() > MAX_ANNOUNCEMENTS) {
        announcements.removeFirst();
      }
    } else {
      out.println("upcall demo: chaos: " + line);
      out.flush();
    }
  }

  /** What the chaos is doing now, shown on a terminal under the block; null for none. */
  synchronized void chaosStatus(String status) {
    chaosStatus = status;
  }

  synchronized void show(Frame frame) {
    if (terminal) {
      List<String> lines = new ArrayList<>(block(frame));
      if (chaosStatus != null) {
        lines.add(lines.size() - 1, "  chaos             " + chaosStatus);
        announcements.forEach(line -> lines.add(lines.size() - 1, "    " + line));
      }
      redraw(lines);
    } else {
      out.println(line(frame));
    }
    out.flush();
  }

  List<String> block(Frame f) {
    String latency =
        f.latencyCount() == 0
            ? "(no invalidation this second)"
            : "p50 "
                + DemoSummary.millis(f.p50())
                + "   p99 "
                + DemoSummary.millis(f.p99())
                + "   (last second)";
    return List.of(
        String.format(Locale.ROOT, "upcall demo  %s   %s", clock(f), header),
        String.format(
            Locale.ROOT,
            "  fops/s            %,8.0f   demo clients %,.0f, load generator %,.0f",
            f.fopsPerSecond(),
            f.demoFopsPerSecond(),
            f.loadFopsPerSecond()),
        String.format(
            Locale.ROOT,
            "  invalidations/s   %,8.0f   applied by the clients' caches (%,d in all)",
            f.invalidationsPerSecond(),
            f.invalidations()),
        "  fop->cache        " + latency,
        String.format(
            Locale.ROOT,
            "  cache hit ratio   %7.1f %%   fresh-as-of age %s",
            100 * f.hitRatio(),
            age(f.freshAsOfAge())),
        String.format(
            Locale.ROOT,
            "  stale reads       %,8d   of %,d cached answers checked (%,d replaced < %s before)%s",
            f.stale(),
            f.checked(),
            f.withinBound(),
            DemoSummary.millis(bound),
            f.publishFailures() > 0
                ? String.format(Locale.ROOT, "   publish failures %,d", f.publishFailures())
                : ""),
        "  Ctrl-C stops");
  }

  String line(Frame f) {
    return String.format(
        Locale.ROOT,
        "[%s] fops/s %,.0f | invalidations/s %,.0f | fop->cache p50 %s p99 %s "
            + "| hit ratio %.1f %% | stale reads %,d of %,d checked%s",
        clock(f),
        f.fopsPerSecond(),
        f.invalidationsPerSecond(),
        f.latencyCount() == 0 ? "-" : DemoSummary.millis(f.p50()),
        f.latencyCount() == 0 ? "-" : DemoSummary.millis(f.p99()),
        100 * f.hitRatio(),
        f.stale(),
        f.checked(),
        f.publishFailures() > 0
            ? String.format(Locale.ROOT, " | publish failures %,d", f.publishFailures())
            : "");
  }

  private void redraw(List<String> lines) {
    StringBuilder screen = new StringBuilder();
    if (linesDrawn > 0) {
      screen
          .append("\033[")
          .append(linesDrawn)
          .append('F'); // back to the first line of the last block
    }
    for (String line : lines) {
      screen.append("\033[2K").append(line).append('\n');
    }
    out.print(screen);
    linesDrawn = lines.size();
  }

  private static String clock(Frame f) {
    String elapsed = String.format(Locale.ROOT, "%3.0f s", f.elapsedSeconds());
    return f.duration() == null ? elapsed : elapsed + " of " + f.duration().toSeconds() + " s";
  }

  private static String age(Duration age) {
    return age == null
        ? "unknown (not fresh yet)"
        : String.format(Locale.ROOT, "%.1f s", age.toMillis() / 1000.0);
  }
}
