package io.upcall.cli;

import io.upcall.bench.Bench;
import io.upcall.bench.BenchCluster;
import io.upcall.bench.BenchReport;
import io.upcall.bench.BenchResults;
import io.upcall.bench.BenchSettings;
import io.upcall.bench.Section;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code upcall bench}: the pipeline measured against raw Kafka and a plain Streams app, in one run. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure, in one run on one cluster: raw produce→consume, a stateless Streams pass-through, the "
          + "pipeline's highest sustained rate (at-least-once and exactly-once), publish→cache latency "
          + "at 1k/5k/20k fops/s, a 10k-client fan-out, and the state cost per tracked pair; the "
          + "records the app writes per fop, counted at a fixed rate; baseline and pipeline in "
          + "interleaved rounds, ratios as the median of the rounds.",
      "Starts its own single-node broker in a child JVM unless --bootstrap-server is given; every topic "
          + "it creates is bounded and deleted afterwards. Progress goes to stderr, the table to stdout.",
      "About thirteen minutes; --quick about four; --format both measures the pipeline sections twice."
    })
public final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--quick",
      description = "Shorter windows and at most six rungs of the rate ladder: about four minutes.")
  boolean quick;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write every figure to FILE as JSON.")
  Path json;

  @Option(
      names = "--bootstrap-server",
      paramLabel = "HOST:PORT",
      description = "Measure against this cluster instead of starting a broker.")
  String bootstrapServers;

  @Option(names = "--bootstrap-servers", hidden = true, paramLabel = "HOST:PORT")
  void olderBootstrapServers(String value) {
    bootstrapServers = value;
  }

  @Option(
      names = "--in-process-broker",
      description =
          "Run the broker in this JVM instead of a child JVM (cheaper, less like a real deployment).")
  boolean inProcessBroker;

  @Option(
      names = "--broker-heap",
      paramLabel = "SIZE",
      defaultValue = "1g",
      description = "Heap of the child JVM broker. Default: ${DEFAULT-VALUE}.")
  String brokerHeap;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Partitions of every topic measured. Default: 12.")
  Integer partitions;

  @Option(
      names = "--sections",
      paramLabel = "LIST",
      split = ",",
      description =
          "Measure only these: raw, baseline, pipeline, latency, fanout, state. Default: all.")
  List<String> sections;

  @Option(
      names = "--state-pairs",
      paramLabel = "N",
      description =
          "Tracked (inode, client) pairs the state cost is measured at. Default: 1000000.")
  Integer statePairs;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "Invalidation output format of the pipeline apps: per-client, batched, or both (measured "
              + "in the same run, interleaved: same-run before/after figures). Passed to the app as "
              + "invalidation-format. Default: the app's default.")
  String format;

  @Option(
      names = {"-S", "--streams-property"},
      paramLabel = "KEY=VALUE",
      description =
          "A Streams or Upcall property for every Streams app of the run, e.g. "
              + "-S num.stream.threads=2 or -S commit.interval.ms=50 (repeatable).")
  Map<String, String> streamsProperties = new LinkedHashMap<>();

  @Override
  public Integer call() {
    BenchSettings settings = settings();
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    try (BenchCluster cluster = cluster(err)) {
      BenchResults results =
          Bench.run(
              settings,
              cluster,
              line -> {
                err.printf(Locale.ROOT, "[%5.0f s] %s%n", (System.nanoTime() - start) / 1e9, line);
                err.flush();
              });
      PrintWriter out = spec.commandLine().getOut();
      out.println();
      out.printf(
          Locale.ROOT,
          "Upcall bench, %s: %s cores, %s, %s partitions, load average %s → %s%n",
          results.get("run.date"),
          results.get("run.cores"),
          results.get("run.cluster"),
          results.get("run.partitions"),
          results.get("run.load_average_start"),
          results.get("run.load_average_end"));
      out.println(BenchReport.table(results));
      if (json != null) {
        results.write(json);
        out.println("figures written to " + json);
      }
      out.flush();
    }
    return 0;
  }

  private BenchSettings settings() {
    if (bootstrapServers != null && inProcessBroker) {
      throw new ParameterException(
          spec.commandLine(), "--bootstrap-server and --in-process-broker exclude each other");
    }
    BenchSettings settings = quick ? BenchSettings.quick() : BenchSettings.full();
    if (partitions != null) {
      if (partitions < 1) {
        throw new ParameterException(
            spec.commandLine(), "--partitions must be at least 1, was " + partitions);
      }
      settings = settings.withPartitions(partitions);
    }
    if (statePairs != null) {
      if (statePairs < settings.clientsPerInode()) {
        throw new ParameterException(
            spec.commandLine(),
            "--state-pairs must be at least " + settings.clientsPerInode() + ", was " + statePairs);
      }
      settings = settings.withStatePairs(statePairs);
    }
    if (sections != null && !sections.isEmpty()) {
      Set<Section> only = EnumSet.noneOf(Section.class);
      for (String name : sections) {
        try {
          only.add(Section.parse(name));
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "--sections: " + e.getMessage());
        }
      }
      settings = settings.withSections(only);
    }
    if (!brokerHeap.matches("[0-9]+[kKmMgG]?")) {
      throw new ParameterException(
          spec.commandLine(),
          "--broker-heap must be a JVM size like 1g or 768m, was " + brokerHeap);
    }
    if (format != null) {
      String chosen = format.trim().toLowerCase(Locale.ROOT);
      if (chosen.equals("both")) {
        settings = settings.withFormats(BenchSettings.FORMATS);
      } else if (BenchSettings.FORMATS.contains(chosen)) {
        settings = settings.withFormats(List.of(chosen));
      } else {
        throw new ParameterException(
            spec.commandLine(), "--format must be per-client, batched or both, was " + format);
      }
    }
    return settings.withStreamsOverrides(streamsProperties);
  }

  private BenchCluster cluster(PrintWriter err) {
    if (bootstrapServers != null) {
      return BenchCluster.external(bootstrapServers);
    }
    err.println(
        inProcessBroker ? "starting a broker in this JVM…" : "starting a broker in a child JVM…");
    err.flush();
    return inProcessBroker ? BenchCluster.inProcess() : BenchCluster.childJvm(brokerHeap);
  }
}
