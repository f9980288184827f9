package io.upcall.producers.load;

import io.upcall.avro.Fop;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;

/**
 * What a load run did.
 *
 * @param elapsed        wall time of the run, flushing included
 * @param fops           fops generated (a replicated fop counts once)
 * @param records        records handed to the publishers (one per replica)
 * @param acknowledged   records Kafka acknowledged
 * @param failed         records that failed
 * @param fopsByType     fops generated per fop type
 * @param sendLatencyP50 median time from publish to acknowledgement
 * @param sendLatencyP99 99th percentile of that time
 * @param firstFailure   why the first failed record failed, or null
 * @param published      false for a dry run, which only generated (and dumped) the records
 */
public record LoadSummary(
    Duration elapsed,
    long fops,
    long records,
    long acknowledged,
    long failed,
    Map<Fop, Long> fopsByType,
    Duration sendLatencyP50,
    Duration sendLatencyP99,
    String firstFailure,
    boolean published) {

  public LoadSummary {
    fopsByType = Map.copyOf(fopsByType);
  }

  /** Acknowledged records per second of the run. */
  public double achievedRecordsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : acknowledged / seconds;
  }

  /** Prints the summary as people read it: totals, achieved rate, latency, then fops by type. */
  public void print(PrintWriter out) {
    if (!published) {
      out.printf(
          Locale.ROOT,
          "load (dry run, nothing published): %,d fops, %,d records generated in %.1f s%n",
          fops,
          records,
          elapsed.toNanos() / 1e9);
    } else {
      out.printf(
          Locale.ROOT,
          "load: %,d fops, %,d records in %.1f s: %,.0f records/s acknowledged%n",
          fops,
          records,
          elapsed.toNanos() / 1e9,
          achievedRecordsPerSecond());
      out.printf(Locale.ROOT, "  acknowledged %,d, failed %,d%n", acknowledged, failed);
      out.printf(
          Locale.ROOT,
          "  send latency p50 %.2f ms, p99 %.2f ms%n",
          sendLatencyP50.toNanos() / 1e6,
          sendLatencyP99.toNanos() / 1e6);
    }
    if (firstFailure != null) {
      out.println("  first failure: " + firstFailure);
    }
    out.println("  fops by type:");
    fopsByType.entrySet().stream()
        .sorted(
            Map.Entry.<Fop, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(
            e ->
                out.printf(
                    Locale.ROOT,
                    "    %-13s %,12d  %5.1f %%%n",
                    e.getKey(),
                    e.getValue(),
                    fops == 0 ? 0.0 : 100.0 * e.getValue() / fops));
  }
}
