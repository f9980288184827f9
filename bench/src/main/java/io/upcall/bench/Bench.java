package io.upcall.bench;

import io.upcall.producers.load.LoadSpec;
import io.upcall.streams.UpcallStreamsConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One bench run: the raw and Streams baselines, then per processing guarantee the pipeline's sustained
 * throughput, its publish → cache latency at fixed rates and a 10 k-client fan-out, then the state cost; all
 * against the same cluster in one run, so that the ratios survive the machine's noise.
 */
public final class Bench {
  /** The guarantees the pipeline sections run under, by their field name. */
  static final Map<String, String> GUARANTEES = Map.of("alo", StreamsConfig.AT_LEAST_ONCE,
      "eos", StreamsConfig.EXACTLY_ONCE_V2);
  private static final List<String> GUARANTEE_ORDER = List.of("alo", "eos");

  /** The fields the issue asks every run's JSON for (a run of every section writes all of them). */
  public static final List<String> ISSUE_FIELDS = issueFields();
  private static final int SAMPLE_RECORDS = 20_000;

  private Bench() {}

  /**
   * Runs {@code settings} against {@code cluster}, telling {@code progress} what it is doing, and returns the
   * figures. Every topic it creates is deleted before it returns.
   */
  public static BenchResults run(BenchSettings settings, BenchCluster cluster, Consumer<String> progress) {
    BenchResults results = new BenchResults();
    long started = System.nanoTime();
    describeRun(results, settings, cluster);
    try (BenchKafka kafka = new BenchKafka(cluster)) {
      results.put("run.id", kafka.runId());
      if (settings.measures(Section.RAW) || settings.measures(Section.BASELINE)) {
        SampleFops sample = SampleFops.generate(settings.load(), SAMPLE_RECORDS);
        results.put("run.mean_fop_record_bytes", Math.round(sample.meanValueBytes()));
        if (settings.measures(Section.RAW)) {
          raw(kafka, settings, sample, results, progress);
        }
        if (settings.measures(Section.BASELINE)) {
          baseline(kafka, settings, sample, results, progress);
        }
      }
      for (String tag : GUARANTEE_ORDER) {
        if (settings.measures(Section.PIPELINE) || settings.measures(Section.LATENCY)
            || settings.measures(Section.FANOUT)) {
          pipeline(kafka, settings, tag, results, progress);
        }
      }
      if (settings.measures(Section.STATE)) {
        progress.accept("state cost: " + String.format(Locale.ROOT, "%,d", settings.statePairs())
            + " tracked pairs, restore after the local state is deleted");
        StateCost.Result state = StateCost.run(kafka, settings, progress);
        results.put("state.pairs", state.pairs());
        results.put("state.heap_bytes_per_pair", round1(state.heapBytesPerPair()));
        results.put("state.disk_bytes_per_pair", round1(state.diskBytesPerPair()));
        results.put("state.changelog_bytes_per_pair", round1(state.changelogBytesPerPair()));
        results.put("state.fill_seconds", round3(state.fillSeconds()));
        results.put("state.restart_seconds", round3(state.restartSeconds()));
        results.put("state.restore_seconds", round3(state.restoreSeconds()));
        results.put("state.restored_pairs", state.restoredPairs());
        kafka.deleteTopics("state");
      }
    }
    ratios(results);
    results.put("run.load_average_end", loadAverage());
    results.put("run.seconds", round1((System.nanoTime() - started) / 1e9));
    return results;
  }

  private static List<String> issueFields() {
    List<String> fields = new ArrayList<>(List.of("raw.records_per_s", "streams_baseline.records_per_s",
        "pipeline.alo.fops_per_s", "pipeline.eos.fops_per_s", "ratio.pipeline_to_streams_baseline"));
    for (String tag : GUARANTEE_ORDER) {
      for (int rate : BenchSettings.LATENCY_RATES) {
        for (String percentile : List.of("p50_ms", "p99_ms", "p999_ms")) {
          fields.add("latency." + tag + ".r" + rate + "." + percentile);
        }
      }
    }
    fields.addAll(List.of("fanout.seconds", "state.heap_bytes_per_pair", "state.disk_bytes_per_pair",
        "state.restore_seconds"));
    return List.copyOf(fields);
  }

  private static void raw(BenchKafka kafka, BenchSettings settings, SampleFops sample, BenchResults results,
      Consumer<String> progress) {
    progress.accept("raw baseline: produce → consume for " + seconds(settings.rawWindow()));
    String topic = kafka.name("raw");
    kafka.createBounded(topic, settings.partitions(), Map.of());
    PassThrough.Result raw = PassThrough.run(kafka, sample, topic, topic, kafka.partitions(topic),
        settings.rawWindow(), warmUp(settings.rawWindow()), null);
    kafka.deleteTopics("raw");
    progress.accept(String.format(Locale.ROOT, "  produced %,.0f records/s, consumed %,.0f records/s",
        raw.producedPerSecond(), raw.recordsPerSecond()));
    results.put("raw.records_per_s", Math.round(raw.recordsPerSecond()));
    results.put("raw.produced_per_s", Math.round(raw.producedPerSecond()));
    results.put("raw.records", raw.consumed());
    results.put("raw.broker_cpu_us_per_record", round3(raw.brokerCpuMicrosPerRecord()));
  }

  private static void baseline(BenchKafka kafka, BenchSettings settings, SampleFops sample, BenchResults results,
      Consumer<String> progress) {
    progress.accept("streams baseline: filter → to for " + seconds(settings.baselineWindow()));
    PassThrough.Result baseline = StreamsBaseline.run(kafka, settings, sample, StreamsConfig.AT_LEAST_ONCE,
        warmUp(settings.baselineWindow()));
    progress.accept(String.format(Locale.ROOT, "  produced %,.0f records/s, passed through %,.0f records/s "
        + "(%.1f us of Streams CPU per record)", baseline.producedPerSecond(), baseline.recordsPerSecond(),
        baseline.cpuMicrosPerRecord()));
    results.put("streams_baseline.records_per_s", Math.round(baseline.recordsPerSecond()));
    results.put("streams_baseline.produced_per_s", Math.round(baseline.producedPerSecond()));
    results.put("streams_baseline.records", baseline.consumed());
    results.put("streams_baseline.cpu_us_per_record", round3(baseline.cpuMicrosPerRecord()));
    results.put("streams_baseline.broker_cpu_us_per_record", round3(baseline.brokerCpuMicrosPerRecord()));
  }

  private static void pipeline(BenchKafka kafka, BenchSettings settings, String tag, BenchResults results,
      Consumer<String> progress) {
    String guarantee = GUARANTEES.get(tag);
    double sustained = -1;
    if (settings.measures(Section.PIPELINE)) {
      progress.accept("pipeline, " + guarantee + ": starting the streams app");
      try (PipelineApp app = PipelineApp.start(kafka, settings, tag + "-rate", guarantee)) {
        progress.accept("pipeline, " + guarantee + ": highest rate sustained for "
            + seconds(settings.sustainWindow()) + " without growing lag");
        ThroughputSearch.Outcome outcome = new ThroughputSearch(kafka, app, settings, progress).run();
        sustained = outcome.fopsPerSecond();
        results.put("pipeline." + tag + ".fops_per_s", Math.round(outcome.fopsPerSecond()));
        results.put("pipeline." + tag + ".capacity_fops_per_s", Math.round(outcome.capacity()));
        results.put("pipeline." + tag + ".limited_by", outcome.limitedBy());
        ThroughputSearch.Step best = outcome.best();
        if (best != null) {
          results.put("pipeline." + tag + ".invalidations_per_s", Math.round(best.invalidationsPerSecond()));
          results.put("pipeline." + tag + ".invalidations_per_fop", round1(best.invalidationsPerFop()));
          results.put("pipeline." + tag + ".repartitioned_events_per_fop", round3(best.eventsPerFop()));
          results.put("pipeline." + tag + ".cpu_us_per_fop", round1(best.cpuMicrosPerFop()));
          results.put("pipeline." + tag + ".broker_cpu_us_per_fop", round1(best.brokerCpuMicrosPerFop()));
        }
        List<Map<String, Object>> steps = new ArrayList<>();
        for (ThroughputSearch.Step step : outcome.steps()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("target_fops_per_s", Math.round(step.targetRate()));
          row.put("published_fops_per_s", Math.round(step.producedRate()));
          row.put("processed_fops_per_s", Math.round(step.processedRate()));
          row.put("final_lag", step.finalLag());
          row.put("lag_growth_per_s", Math.round(step.lagGrowth()));
          row.put("sustained", step.sustained());
          row.put("repartitioned_events_per_fop", round3(step.eventsPerFop()));
          row.put("invalidations_per_s", Math.round(step.invalidationsPerSecond()));
          row.put("invalidations_per_fop", round1(step.invalidationsPerFop()));
          row.put("cpu_us_per_fop", round1(step.cpuMicrosPerFop()));
          row.put("broker_cpu_us_per_fop", round1(step.brokerCpuMicrosPerFop()));
          row.put("fops_committed", step.counts()[0]);
          row.put("fops_written", step.counts()[1]);
          row.put("events_committed", step.counts()[2]);
          row.put("events_written", step.counts()[3]);
          steps.add(row);
        }
        results.put("pipeline." + tag + ".steps", steps);
      } finally {
        kafka.deleteTopics(tag + "-rate");
      }
    }
    if (!settings.measures(Section.FANOUT) && !settings.measures(Section.LATENCY)) {
      return;
    }
    // A fresh app: after the search it would carry the freshness of rates far above the one measured.
    progress.accept("fan-out and latency, " + guarantee + ": starting a fresh streams app");
    try (PipelineApp app = PipelineApp.start(kafka, settings, tag + "-latency", guarantee)) {
      if (settings.measures(Section.FANOUT)) {
        progress.accept("fan-out, " + guarantee + ": one write to an inode cached by "
            + String.format(Locale.ROOT, "%,d", settings.fanOutClients()) + " clients");
        FanOut.Result fanOut = FanOut.run(kafka, app, settings.fanOutClients(), settings.load().volume());
        progress.accept(fanOut.describe());
        results.put("fanout." + tag + ".seconds", round3(fanOut.seconds()));
        results.put("fanout." + tag + ".invalidations", fanOut.invalidations());
        results.put("fanout.clients", fanOut.clients());
      }
      if (settings.measures(Section.LATENCY)) {
        progress.accept("latency, " + guarantee + ": publish call → another client's cache applied, "
            + seconds(settings.latencyWindow()) + " per rate after " + seconds(settings.latencyWarmUp()));
        try (PublishToCacheLatency latency = new PublishToCacheLatency(kafka, app, settings, progress)) {
          List<Integer> rates = settings.latencyRates();
          for (int i = 0; i < rates.size(); i++) {
            int rate = rates.get(i);
            // Above the sustained rate latency only measures a growing queue; draining it would take minutes and
            // tell nothing, so the runs after an overloaded one start on its backlog (they are overloaded too).
            boolean overloaded = sustained >= 0 && rate > sustained;
            boolean drain = i < rates.size() - 1 && !overloaded;
            PublishToCacheLatency.Percentiles p = latency.measure(rate, drain);
            String at = "latency." + tag + ".r" + rate + ".";
            results.put(at + "p50_ms", round1(p.p50Ms()));
            results.put(at + "p99_ms", round1(p.p99Ms()));
            results.put(at + "p999_ms", round1(p.p999Ms()));
            results.put(at + "max_ms", round1(p.maxMs()));
            results.put(at + "samples", p.samples());
            results.put(at + "missing", p.missing());
            results.put(at + "achieved_fops_per_s", Math.round(p.achievedRate()));
            results.put(at + "above_sustained_rate", overloaded);
            results.put(at + "cpu_us_per_fop", round1(p.cpuMicrosPerFop()));
            results.put(at + "broker_cpu_us_per_fop", round1(p.brokerCpuMicrosPerFop()));
          }
        }
      }
    } finally {
      kafka.deleteTopics(tag + "-latency");
    }
  }

  /** The ratios the targets are about, and the headline fan-out figure (exactly-once, Upcall's default). */
  private static void ratios(BenchResults results) {
    double baseline = results.number("streams_baseline.records_per_s");
    if (baseline > 0) {
      results.put("ratio.pipeline_to_streams_baseline",
          round3(results.number("pipeline.alo.fops_per_s") / baseline));
      results.put("ratio.pipeline_eos_to_streams_baseline",
          round3(results.number("pipeline.eos.fops_per_s") / baseline));
    }
    if (baseline > 0 && results.has("pipeline.alo.invalidations_per_s")) {
      // Each fop in brings invalidations out: what the pipeline moves, against what the baseline moves.
      results.put("ratio.pipeline_records_to_streams_baseline", round3((results.number("pipeline.alo.fops_per_s")
          + results.number("pipeline.alo.invalidations_per_s")) / baseline));
    }
    double baselineCpu = results.number("streams_baseline.cpu_us_per_record");
    for (String tag : GUARANTEE_ORDER) {
      double cpu = results.number("pipeline." + tag + ".cpu_us_per_fop");
      if (baselineCpu > 0 && cpu > 0) {
        // Machine-load-proof: the work per fop, and per record the pipeline moves, against the baseline's per record.
        results.put("ratio." + tag + "_cpu_per_fop_to_baseline_cpu_per_record", round1(cpu / baselineCpu));
        double moved = 1 + results.number("pipeline." + tag + ".invalidations_per_fop");
        results.put("ratio." + tag + "_cpu_per_record_moved_to_baseline", round1(cpu / moved / baselineCpu));
      }
    }
    double raw = results.number("raw.records_per_s");
    if (raw > 0) {
      results.put("ratio.streams_baseline_to_raw", round3(baseline / raw));
    }
    double fanOut = results.has("fanout.eos.seconds") ? results.number("fanout.eos.seconds")
        : results.number("fanout.alo.seconds");
    if (results.has("fanout.clients")) {
      results.put("fanout.seconds", fanOut);
    }
  }

  private static void describeRun(BenchResults results, BenchSettings settings, BenchCluster cluster) {
    results.put("run.date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
    results.put("run.cores", Runtime.getRuntime().availableProcessors());
    results.put("run.load_average_start", loadAverage());
    results.put("run.java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    results.put("run.cluster", cluster.description());
    results.put("run.partitions", settings.partitions());
    results.put("run.sections", settings.sections().stream().map(Section::option).sorted().toList());
    results.put("run.producer", new LinkedHashMap<>(BenchSettings.PRODUCER));
    results.put("run.streams_overrides", new LinkedHashMap<>(settings.streamsOverrides()));
    results.put("run.commit_interval_ms", commitIntervalMs(settings));
    LoadSpec load = settings.load();
    results.put("run.load", String.format(Locale.ROOT, "%.0f %% reads, %,d clients, %,d files in %,d directories, "
        + "Zipf %.1f, %d bricks x %d replicas", load.readRatio() * 100, load.clients(), load.files(),
        load.directories(), load.zipfExponent(), load.bricks(), load.replicas()));
    results.put("run.windows_s", Map.of("raw", settings.rawWindow().toMillis() / 1000.0,
        "baseline", settings.baselineWindow().toMillis() / 1000.0,
        "sustain", settings.sustainWindow().toMillis() / 1000.0,
        "latency", settings.latencyWindow().toMillis() / 1000.0));
  }

  /** The commit interval the pipeline apps run with: the run's override, else Upcall's default. */
  static long commitIntervalMs(BenchSettings settings) {
    String override = settings.streamsOverrides().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    return override != null ? Long.parseLong(override.trim()) : UpcallStreamsConfig.COMMIT_INTERVAL_MS_DEFAULT;
  }

  private static Duration warmUp(Duration window) {
    return Duration.ofMillis(Math.min(1_000, window.toMillis() / 4));
  }

  private static double loadAverage() {
    return round1(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.3g s", duration.toMillis() / 1000.0);
  }

  static double round1(double value) {
    return Double.isFinite(value) ? Math.round(value * 10) / 10.0 : value;
  }

  static double round3(double value) {
    return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : value;
  }
}
