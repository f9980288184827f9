package io.upcall.producers.trace;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * What publishing a trace did.
 *
 * @param fops           fop records acknowledged by Kafka
 * @param registrations  REGISTER_XATTRS lines acknowledged (xattr interest records)
 * @param malformed      lines skipped because they are not in the trace format or break the fop contract
 * @param failed         records Kafka did not acknowledge
 * @param bricks         distinct bricks the fops came from (one publisher each)
 * @param elapsed        wall time, flushing included
 * @param firstFailure   why the first unacknowledged record failed, or null
 */
public record TraceSummary(
    long fops,
    long registrations,
    long malformed,
    long failed,
    int bricks,
    Duration elapsed,
    String firstFailure) {

  /** Prints the counts as people read them. */
  public void print(PrintWriter out) {
    double seconds = elapsed.toNanos() / 1e9;
    out.printf(
        Locale.ROOT,
        "publish: %,d fops and %,d xattr registrations from %d brick(s) in %.1f s (%,.0f records/s); "
            + "%,d malformed line(s) skipped, %,d failed%n",
        fops,
        registrations,
        bricks,
        seconds,
        seconds <= 0 ? 0.0 : (fops + registrations) / seconds,
        malformed,
        failed);
    if (firstFailure != null) {
      out.println("  first failure: " + firstFailure);
    }
  }
}
