package io.upcall.cli;

import io.upcall.streams.ops.InstanceStats;
import io.upcall.streams.ops.StatsReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code upcall stats}: what every streams instance holds and does, and the sum. */
@Command(
    name = "stats",
    description = {
      "Show what every streams instance holds and does, and the total.",
      "Per instance and in total: partitions, tracked inodes and (inode, client) pairs, pairs fresh now, "
          + "store sizes, invalidations per second and in total, records processed, records sent to the "
          + "dead-letter topic. Counters count since each task started on its instance; rates are Kafka's "
          + "windowed rates (about the last minute)."
    })
public final class StatsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Override
  public Integer call() {
    int[] exit = {0};
    int asked =
        server.askAndPrint(spec, "/stats", StatsReport.class, report -> exit[0] = print(report));
    return asked != 0 ? asked : exit[0];
  }

  private int print(StatsReport report) {
    PrintWriter out = spec.commandLine().getOut();
    TextTable instances =
        new TextTable(
            "INSTANCE",
            "STATE",
            "ACTIVE",
            "STANDBY",
            "INODES",
            "PAIRS",
            "FRESH",
            "INVALIDATIONS/S",
            "INVALIDATIONS",
            "RECORDS/S",
            "RECORDS",
            "DLQ");
    for (InstanceStats stats : report.instances()) {
      row(instances, stats);
    }
    row(instances, report.total());
    instances.print(out);
    out.println();
    TextTable stores =
        new TextTable("STORE (all instances)", "ENTRIES (ESTIMATE)", "SST BYTES", "MEMTABLE BYTES");
    for (Map.Entry<String, InstanceStats.StoreSize> store : report.total().stores().entrySet()) {
      InstanceStats.StoreSize size = store.getValue();
      stores.row(
          store.getKey(),
          known(size.approximateEntries()),
          known(size.sstBytes()),
          known(size.memtableBytes()));
    }
    stores.print(out);
    out.flush();
    if (!report.complete()) {
      PrintWriter err = spec.commandLine().getErr();
      report.instances().stream()
          .filter(stats -> stats.error() != null)
          .forEach(
              stats ->
                  err.println("upcall: " + stats.instance() + " did not answer: " + stats.error()));
      err.flush();
      return UpcallCli.EXIT_FAILURE;
    }
    return 0;
  }

  private static void row(TextTable table, InstanceStats stats) {
    table.row(
        stats.instance(),
        stats.state(),
        partitions(stats.activePartitions()),
        partitions(stats.standbyPartitions()),
        stats.trackedInodes(),
        stats.trackedPairs(),
        stats.freshPairs(),
        rate(stats.invalidationsPerSecond()),
        stats.invalidationsTotal(),
        rate(stats.recordsPerSecond()),
        stats.recordsProcessed(),
        stats.dlqRecords());
  }

  private static String partitions(List<Integer> partitions) {
    return partitions.isEmpty()
        ? "-"
        : partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  private static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.1f", perSecond);
  }

  private static String known(long value) {
    return value < 0 ? "n/a" : Long.toString(value);
  }
}
