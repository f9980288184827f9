package io.upcall.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table a bench run prints: each figure, its ratio where one applies, and the target with met/missed. */
public final class BenchReport {
  private BenchReport() {}

  /** The table of {@code results}; rows of sections that were not measured are left out. */
  public static String table(BenchResults results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"measure", "figure", "target", ""});
    double baseline = results.number("streams_baseline.records_per_s");
    row(
        rows,
        results,
        "raw.records_per_s",
        "raw produce → consume",
        "%,.0f records/s",
        null,
        Double.NaN,
        false);
    row(
        rows,
        results,
        "streams_baseline.records_per_s",
        "streams baseline (filter → to)",
        "%,.0f records/s",
        null,
        Double.NaN,
        false);
    for (String tag : List.of("alo", "eos")) {
      String name = tag.equals("alo") ? "at-least-once" : "exactly-once";
      String path = "pipeline." + tag + ".fops_per_s";
      if (results.has(path)) {
        String ratio =
            baseline > 0
                ? String.format(Locale.ROOT, " (%.2f × baseline)", results.number(path) / baseline)
                : "";
        rows.add(
            new String[] {
              "pipeline, " + name + ", sustained",
              String.format(Locale.ROOT, "%,.0f fops/s", results.number(path)) + ratio,
              tag.equals("alo") ? "≥ 0.35 × baseline" : "",
              tag.equals("alo")
                  ? verdict(results.number("ratio.pipeline_to_streams_baseline") >= 0.35)
                  : ""
            });
      }
    }
    if (results.get("format") instanceof Map<?, ?> formats) {
      for (Object format : formats.keySet()) {
        counts(rows, results, "format." + format + ".", " [" + format + "]");
      }
    } else {
      counts(rows, results, "", "");
    }
    long commitMs =
        results.has("run.commit_interval_ms")
            ? (long) results.number("run.commit_interval_ms")
            : 100;
    for (String tag : List.of("alo", "eos")) {
      for (String rate : List.of("1000", "5000", "20000")) {
        String at = "latency." + tag + ".r" + rate + ".";
        if (!results.has(at + "samples")) {
          continue;
        }
        if (!results.has(at + "p50_ms")) {
          rows.add(
              new String[] {
                String.format(
                    Locale.ROOT,
                    "latency %s @ %,d fops/s",
                    tag.toUpperCase(Locale.ROOT),
                    Integer.parseInt(rate)),
                "no probe back within the window + 10 s",
                "",
                rate.equals("5000") ? "MISSED" : ""
              });
          continue;
        }
        double p99 = results.number(at + "p99_ms");
        double bound = tag.equals("alo") ? 30 : 2 * commitMs + 50;
        boolean targeted = rate.equals("5000");
        rows.add(
            new String[] {
              String.format(
                  Locale.ROOT,
                  "latency %s @ %,d fops/s (p50/p99/p99.9)",
                  tag.toUpperCase(Locale.ROOT),
                  Integer.parseInt(rate)),
              String.format(
                  Locale.ROOT,
                  "%.1f / %.1f / %.1f ms",
                  results.number(at + "p50_ms"),
                  p99,
                  results.number(at + "p999_ms")),
              targeted ? String.format(Locale.ROOT, "p99 ≤ %.0f ms", bound) : "",
              targeted ? verdict(p99 <= bound) : ""
            });
      }
    }
    for (String tag : List.of("alo", "eos")) {
      String path = "fanout." + tag + ".seconds";
      if (results.has(path)) {
        rows.add(
            new String[] {
              String.format(
                  Locale.ROOT,
                  "fan-out to %,.0f clients, %s",
                  results.number("fanout.clients"),
                  tag.toUpperCase(Locale.ROOT)),
              results.has(path + "_min")
                  ? String.format(
                      Locale.ROOT,
                      "%.3f s (median of %.0f, %.3f–%.3f)",
                      results.number(path),
                      results.number("fanout.rounds"),
                      results.number(path + "_min"),
                      results.number(path + "_max"))
                  : String.format(Locale.ROOT, "%.3f s", results.number(path)),
              // Issue 13's target (the first benchmark's was 1 s).
              "≤ 0.1 s",
              verdict(results.number(path) <= 0.1)
            });
      }
    }
    if (results.has("state.pairs")) {
      String pairs = String.format(Locale.ROOT, "%,.0f pairs", results.number("state.pairs"));
      rows.add(
          new String[] {
            "state: heap per tracked pair (" + pairs + ")",
            String.format(Locale.ROOT, "%.1f B", results.number("state.heap_bytes_per_pair")),
            "≤ 100 B",
            verdict(results.number("state.heap_bytes_per_pair") <= 100)
          });
      row(
          rows,
          results,
          "state.disk_bytes_per_pair",
          "state: RocksDB disk per pair (both pair stores)",
          "%.1f B",
          null,
          Double.NaN,
          false);
      row(
          rows,
          results,
          "state.changelog_bytes_per_pair",
          "state: changelog per pair",
          "%.1f B",
          null,
          Double.NaN,
          false);
      row(
          rows,
          results,
          "state.restart_seconds",
          "state: restart with local state",
          "%.1f s",
          null,
          Double.NaN,
          false);
      row(
          rows,
          results,
          "state.restore_seconds",
          "state: restore after deleting local state",
          "%.1f s",
          null,
          Double.NaN,
          false);
    }
    return format(rows);
  }

  /**
   * The figures of the variants under {@code scope} that the interleaved rounds and the count window give: capacity
   * against the baseline, records and bytes written per fop.
   */
  private static void counts(
      List<String[]> rows, BenchResults results, String scope, String label) {
    for (String tag : List.of("alo", "eos")) {
      String name = "pipeline, " + tag.toUpperCase(Locale.ROOT) + label;
      String ratio = scope + "ratio." + tag + "_capacity_to_streams_baseline";
      if (results.has(ratio)) {
        rows.add(
            new String[] {
              name + ": capacity ÷ baseline (interleaved)",
              String.format(
                  Locale.ROOT,
                  "median %.3f (%.3f–%.3f, %d rounds)",
                  results.number(ratio),
                  results.number(ratio + "_min"),
                  results.number(ratio + "_max"),
                  results.get(ratio + "_rounds") instanceof List<?> rounds ? rounds.size() : 0),
              "",
              ""
            });
      }
      String at = scope + "pipeline." + tag + ".";
      if (!results.has(at + "records_written_per_fop")) {
        continue;
      }
      rows.add(
          new String[] {
            name + ": records written per fop",
            String.format(
                Locale.ROOT,
                "%.2f (invalidation %.2f, changelog %.2f, repartition %.2f, marks %.2f)",
                results.number(at + "records_written_per_fop"),
                results.number(at + "invalidation_records_per_fop"),
                results.number(at + "changelog_records_per_fop"),
                results.number(at + "repartition_records_per_fop"),
                results.number(at + "progress_mark_records_per_fop")),
            "",
            ""
          });
      rows.add(
          new String[] {
            name + ": bytes written per fop",
            String.format(Locale.ROOT, "%,.0f B", results.number(at + "bytes_written_per_fop")),
            "",
            ""
          });
      double perRecord = results.number(at + "invalidations_per_invalidation_record");
      rows.add(
          new String[] {
            name + ": invalidations per invalidation record",
            String.format(
                Locale.ROOT,
                "%.2f (%.1f told per fop)",
                perRecord,
                results.number(at + "invalidations_told_per_fop")),
            "≥ 4",
            verdict(perRecord >= 4)
          });
    }
  }

  private static void row(
      List<String[]> rows,
      BenchResults results,
      String path,
      String name,
      String format,
      String target,
      double bound,
      boolean atMost) {
    if (results.has(path)) {
      double value = results.number(path);
      rows.add(
          new String[] {
            name,
            String.format(Locale.ROOT, format, value),
            target == null ? "" : target,
            target == null ? "" : verdict(atMost ? value <= bound : value >= bound)
          });
    }
  }

  private static String verdict(boolean met) {
    return met ? "met" : "MISSED";
  }

  private static String format(List<String[]> rows) {
    int[] widths = new int[4];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == 0 ? "" : "  ")
            .append(i == 1 ? pad(row[i], widths[i], true) : pad(row[i], widths[i], false));
      }
      out.append(line.toString().stripTrailing()).append(System.lineSeparator());
      if (r == 0) {
        out.append("-".repeat(line.toString().stripTrailing().length()))
            .append(System.lineSeparator());
      }
    }
    return out.toString();
  }

  private static String pad(String text, int width, boolean right) {
    String padding = " ".repeat(width - text.length());
    return right ? padding + text : text + padding;
  }
}
