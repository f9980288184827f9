package io.upcall.bench;

import io.upcall.producers.load.LoadSpec;
import io.upcall.streams.UpcallStreamsConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
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
  static final Map<String, String> GUARANTEES =
      Map.of("alo", StreamsConfig.AT_LEAST_ONCE, "eos", StreamsConfig.EXACTLY_ONCE_V2);

  private static final List<String> GUARANTEE_ORDER = List.of("alo", "eos");

  /** The fields the issue asks every run's JSON for (a run of every section writes all of them). */
  public static final List<String> ISSUE_FIELDS = issueFields();

  private static final int SAMPLE_RECORDS = 20_000;

  /** A count window that cannot keep its rate gets this many times its length to publish its fops. */
  private static final int COUNT_WINDOW_CAP = 5;

  /** The sustained-rate ladder starts at the rung at or below this share of the lowest variant's capacity. */
  private static final double LADDER_START_SHARE = 0.6;

  private Bench() {}

  /**
   * Runs {@code settings} against {@code cluster}, telling {@code progress} what it is doing, and returns the
   * figures. Every topic it creates is deleted before it returns.
   */
  public static BenchResults run(
      BenchSettings settings, BenchCluster cluster, Consumer<String> progress) {
    BenchResults results = new BenchResults();
    long started = System.nanoTime();
    describeRun(results, settings, cluster);
    List<PipelineVariant> variants = PipelineVariant.of(settings, GUARANTEE_ORDER);
    try (BenchKafka kafka = new BenchKafka(cluster)) {
      results.put("run.id", kafka.runId());
      SampleFops sample = null;
      if (settings.measures(Section.RAW) || settings.measures(Section.BASELINE)) {
        sample = SampleFops.generate(settings.load(), SAMPLE_RECORDS);
        results.put("run.mean_fop_record_bytes", Math.round(sample.meanValueBytes()));
        if (settings.measures(Section.RAW)) {
          raw(kafka, settings, sample, results, progress);
        }
      }
      if (settings.measures(Section.BASELINE) || settings.measures(Section.PIPELINE)) {
        interleaved(kafka, settings, sample, variants, results, progress);
      }
      if (settings.measures(Section.LATENCY) || settings.measures(Section.FANOUT)) {
        for (PipelineVariant variant : variants) {
          latencyAndFanOut(kafka, settings, variant, results, progress);
        }
      }
      if (settings.measures(Section.STATE)) {
        progress.accept(
            "state cost: "
                + String.format(Locale.ROOT, "%,d", settings.statePairs())
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
    variants.stream()
        .map(PipelineVariant::scope)
        .distinct()
        .forEach(scope -> ratios(results, scope));
    if (settings.formats().size() > 1) {
      // The fields of one format stay where a reader of a one-format run finds them: the new
      // default's.
      String top = settings.formats().contains("batched") ? "batched" : settings.formats().get(0);
      results.put("run.top_level_format", top);
      results.copyToTop(PipelineVariant.scopeOf(top));
    }
    double raw = results.number("raw.records_per_s");
    if (raw > 0) {
      results.put(
          "ratio.streams_baseline_to_raw",
          round3(results.number("streams_baseline.records_per_s") / raw));
    }
    results.put("run.load_average_end", loadAverage());
    results.put("run.seconds", round1((System.nanoTime() - started) / 1e9));
    return results;
  }

  private static List<String> issueFields() {
    List<String> fields =
        new ArrayList<>(
            List.of(
                "raw.records_per_s",
                "streams_baseline.records_per_s",
                "pipeline.alo.fops_per_s",
                "pipeline.eos.fops_per_s",
                "ratio.pipeline_to_streams_baseline"));
    for (String tag : GUARANTEE_ORDER) {
      for (int rate : BenchSettings.LATENCY_RATES) {
        for (String percentile : List.of("p50_ms", "p99_ms", "p999_ms")) {
          fields.add("latency." + tag + ".r" + rate + "." + percentile);
        }
      }
    }
    fields.addAll(
        List.of(
            "fanout.seconds",
            "state.heap_bytes_per_pair",
            "state.disk_bytes_per_pair",
            "state.restore_seconds"));
    return List.copyOf(fields);
  }

  private static void raw(
      BenchKafka kafka,
      BenchSettings settings,
      SampleFops sample,
      BenchResults results,
      Consumer<String> progress) {
    progress.accept("raw baseline: produce → consume for " + seconds(settings.rawWindow()));
    String topic = kafka.name("raw");
    kafka.createBounded(topic, settings.partitions(), Map.of());
    PassThrough.Result raw =
        PassThrough.run(
            kafka,
            sample,
            topic,
            topic,
            kafka.partitions(topic),
            settings.rawWindow(),
            warmUp(settings.rawWindow()),
            null);
    kafka.deleteTopics("raw");
    progress.accept(
        String.format(
            Locale.ROOT,
            "  produced %,.0f records/s, consumed %,.0f records/s",
            raw.producedPerSecond(),
            raw.recordsPerSecond()));
    results.put("raw.records_per_s", Math.round(raw.recordsPerSecond()));
    results.put("raw.produced_per_s", Math.round(raw.producedPerSecond()));
    results.put("raw.records", raw.consumed());
    results.put("raw.broker_cpu_us_per_record", round3(raw.brokerCpuMicrosPerRecord()));
  }

  /**
   * The interleaved part of a run: the pipeline apps of every variant start fresh and each counts what it writes at
   * the count rate; then rounds of one baseline window and one capacity burst of every variant (A/B/A/B…), so that
   * a load spike on the shared machine moves one round's pair, not the whole ratio; then each variant's
   * sustained-rate search from its median capacity.
   */
  private static void interleaved(
      BenchKafka kafka,
      BenchSettings settings,
      SampleFops sample,
      List<PipelineVariant> variants,
      BenchResults results,
      Consumer<String> progress) {
    boolean pipeline = settings.measures(Section.PIPELINE);
    boolean baseline = settings.measures(Section.BASELINE);
    Map<PipelineVariant, PipelineApp> apps = new LinkedHashMap<>();
    StreamsBaseline passThrough = null;
    try {
      if (baseline) {
        progress.accept(
            "streams baseline (filter → to): starting it; "
                + settings.rounds()
                + " windows of "
                + seconds(settings.baselineWindow())
                + ", interleaved with the pipeline's bursts");
        passThrough = StreamsBaseline.start(kafka, settings, StreamsConfig.AT_LEAST_ONCE);
      }
      Map<PipelineVariant, ThroughputSearch> searches = new LinkedHashMap<>();
      if (pipeline) {
        for (PipelineVariant variant : variants) {
          warmUp(kafka, settings, variant, progress);
        }
        for (PipelineVariant variant : variants) {
          progress.accept("pipeline, " + variant.describe() + ": starting the streams app");
          PipelineApp app =
              PipelineApp.start(
                  kafka, settings, variant.name() + "-rate", variant.guarantee(), variant.format());
          apps.put(variant, app);
          searches.put(variant, new ThroughputSearch(kafka, app, settings, progress));
        }
        for (PipelineVariant variant : variants) {
          PipelineApp.onlyRunning(apps.get(variant), apps.values());
          count(
              kafka,
              settings,
              variant,
              apps.get(variant),
              searches.get(variant),
              results,
              progress);
        }
      }
      List<PassThrough.Result> windows = new ArrayList<>();
      Map<PipelineVariant, List<ThroughputSearch.Step>> probes = new LinkedHashMap<>();
      variants.forEach(variant -> probes.put(variant, new ArrayList<>()));
      for (int round = 1; round <= settings.rounds(); round++) {
        if (passThrough != null) {
          progress.accept(
              "round "
                  + round
                  + "/"
                  + settings.rounds()
                  + ", streams baseline: filter → to for "
                  + seconds(settings.baselineWindow()));
          PassThrough.Result window =
              passThrough.window(
                  sample, settings.baselineWindow(), warmUp(settings.baselineWindow()));
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "  produced %,.0f records/s, passed through %,.0f records/s "
                      + "(%.1f us of Streams CPU per record)",
                  window.producedPerSecond(),
                  window.recordsPerSecond(),
                  window.cpuMicrosPerRecord()));
          windows.add(window);
        }
        if (pipeline) {
          for (PipelineVariant variant : variants) {
            progress.accept(
                "round "
                    + round
                    + "/"
                    + settings.rounds()
                    + ", pipeline, "
                    + variant.describe()
                    + ": capacity burst");
            PipelineApp.onlyRunning(apps.get(variant), apps.values());
            probes.get(variant).add(searches.get(variant).probe());
          }
        }
      }
      if (!windows.isEmpty()) {
        baselineFigures(windows, results);
      }
      if (pipeline) {
        progress.accept(
            "pipeline: highest rate sustained for "
                + seconds(settings.sustainWindow())
                + " without growing lag, every variant on one ladder of rates, one at a time");
        Map<PipelineVariant, ThroughputSearch.Outcome> outcomes =
            RateLadder.climb(
                searches,
                apps,
                probes,
                settings,
                LADDER_START_SHARE,
                settings.searchSteps() + 4,
                progress);
        for (PipelineVariant variant : variants) {
          searchFigures(variant, outcomes.get(variant), probes.get(variant), windows, results);
        }
      }
    } finally {
      for (Map.Entry<PipelineVariant, PipelineApp> app : apps.entrySet()) {
        app.getValue().close();
        kafka.deleteTopics(app.getKey().name() + "-rate");
      }
      if (passThrough != null) {
        passThrough.close();
      }
    }
  }

  /**
   * Runs the load through a throwaway app of {@code variant} for {@link BenchSettings#jitWarmUp()}: the broker's JVM
   * and this one compile their hot paths in the first half minute or so (in one profiled quick run the broker spent
   * 32 s of CPU in its JIT compilers then, at 95–110 % of a core), and the variant measured first would otherwise
   * pay for it alone.
   */
  private static void warmUp(
      BenchKafka kafka,
      BenchSettings settings,
      PipelineVariant variant,
      Consumer<String> progress) {
    String name = variant.name() + "-warm-up";
    progress.accept(
        "pipeline, "
            + variant.describe()
            + ": warming up the JVMs, "
            + seconds(settings.jitWarmUp())
            + " at "
            + settings.countRate()
            + " fops/s through a throwaway app");
    try (PipelineApp app =
        PipelineApp.start(kafka, settings, name, variant.guarantee(), variant.format())) {
      new ThroughputSearch(kafka, app, settings, progress)
          .step(settings.countRate(), settings.jitWarmUp());
    } finally {
      kafka.deleteTopics(name);
    }
  }

  /**
   * The count window: on the fresh app, exactly count rate × count window fop records published at the count rate,
   * then every record the app wrote while it processed them (and drained) read back and counted by kind, and the
   * invalidations it told. Records written per fop are what the fops caused, plus the wall-clock-scheduled ones
   * (progress marks, upstream heartbeats) taken per second of the window and divided by the count rate: the app's
   * output at that rate whether or not this machine reached it, so the figures depend on the code and the load.
   */
  private static void count(
      BenchKafka kafka,
      BenchSettings settings,
      PipelineVariant variant,
      PipelineApp app,
      ThroughputSearch search,
      BenchResults results,
      Consumer<String> progress) {
    long records = Math.round(settings.countRate() * settings.countWindow().toMillis() / 1000.0);
    progress.accept(
        "pipeline, "
            + variant.describe()
            + ": count window, "
            + String.format(Locale.ROOT, "%,d", records)
            + " fop records at "
            + settings.countRate()
            + " fops/s on fresh state, every record written read back");
    ThroughputSearch.Step step;
    WrittenRecords written;
    long told;
    double seconds;
    try (OutputReader reader = OutputReader.start(kafka, app)) {
      long toldBefore = app.invalidationsTold();
      long started = System.nanoTime();
      step =
          search.exactly(
              settings.countRate(), records, settings.countWindow().multipliedBy(COUNT_WINDOW_CAP));
      told = app.invalidationsTold() - toldBefore;
      written = reader.finish();
      seconds = (System.nanoTime() - started) / 1e9;
    }
    double fops = step.fops();
    // The scheduled records of one fop at the count rate: per second of the window, over the fops
    // of one second.
    double timedPerFop = written.timed() / seconds / settings.countRate();
    double timedBytesPerFop = written.timedBytes() / seconds / settings.countRate();
    double recordsPerFop = (written.total() - written.timed()) / fops + timedPerFop;
    String at = variant.field("pipeline." + variant.tag() + ".");
    results.put(at + "records_written_per_fop", round3(recordsPerFop));
    // Without the scheduled records, whose share on a fresh app depends on when every partition's
    // heartbeat came in.
    results.put(
        at + "fop_caused_records_per_fop", round3((written.total() - written.timed()) / fops));
    results.put(
        at + "invalidation_records_per_fop",
        round3(written.of(WrittenRecords.INVALIDATION) / fops));
    results.put(
        at + "changelog_records_per_fop", round3(written.of(WrittenRecords.CHANGELOG) / fops));
    results.put(
        at + "repartition_records_per_fop",
        round3(
            written.of(WrittenRecords.REPARTITION) / fops
                + written.of(WrittenRecords.REPARTITION_HEARTBEAT)
                    / seconds
                    / settings.countRate()));
    results.put(
        at + "repartitioned_event_records_per_fop",
        round3(written.of(WrittenRecords.REPARTITION) / fops));
    results.put(
        at + "progress_mark_records_per_fop",
        round3(written.of(WrittenRecords.PROGRESS_MARK) / seconds / settings.countRate()));
    results.put(
        at + "upcall_event_records_per_fop",
        round3(written.of(WrittenRecords.UPCALL_EVENT) / fops));
    results.put(
        at + "dead_letter_records_per_fop", round3(written.of(WrittenRecords.DEAD_LETTER) / fops));
    results.put(
        at + "bytes_written_per_fop",
        round1((written.totalBytes() - written.timedBytes()) / fops + timedBytesPerFop));
    results.put(
        at + "invalidation_bytes_per_fop",
        round1(written.bytes().getOrDefault(WrittenRecords.INVALIDATION, 0L) / fops));
    results.put(at + "invalidations_told_per_fop", round3(told / fops));
    Map<String, Object> byStore = new LinkedHashMap<>();
    written.changelogByStore().forEach((store, count) -> byStore.put(store, round3(count / fops)));
    results.put(at + "changelog_records_per_fop_by_store", byStore);
    long invalidationRecords = written.of(WrittenRecords.INVALIDATION);
    double perRecord = invalidationRecords == 0 ? Double.NaN : (double) told / invalidationRecords;
    results.put(at + "invalidations_per_invalidation_record", round3(perRecord));
    results.put(
        variant.field(
            "ratio."
                + (variant.tag().equals("alo") ? "" : variant.tag() + "_")
                + "invalidations_per_invalidation_record"),
        round3(perRecord));
    Map<String, Object> window = new LinkedHashMap<>();
    window.put("rate_fops_per_s", settings.countRate());
    window.put("fop_records", records);
    window.put("fops", step.fops());
    window.put("published_fops_per_s", Math.round(step.producedRate()));
    window.put("seconds", round1(seconds));
    window.put("invalidations_told", told);
    window.put("records_written", written.total());
    window.put("bytes_written", written.totalBytes());
    window.put("timed_records_per_s", round1(written.timed() / seconds));
    window.put("records_by_kind", new LinkedHashMap<>(written.records()));
    window.put("bytes_by_kind", new LinkedHashMap<>(written.bytes()));
    results.put(at + "count", window);
    progress.accept(
        String.format(
            Locale.ROOT,
            "  %,d fops in %.1f s: %,d records written; per fop at %,d fops/s "
                + "%.2f (%.2f invalidation records, %.2f changelog, %.2f repartition, %.2f scheduled), %.0f bytes; %,d "
                + "invalidations told, %.2f per invalidation record",
            step.fops(),
            seconds,
            written.total(),
            settings.countRate(),
            recordsPerFop,
            invalidationRecords / fops,
            written.of(WrittenRecords.CHANGELOG) / fops,
            written.of(WrittenRecords.REPARTITION) / fops,
            timedPerFop,
            (written.totalBytes() - written.timedBytes()) / fops + timedBytesPerFop,
            told,
            perRecord));
  }

  /** The baseline's figures: the median window (each its own), and every window for the spread. */
  private static void baselineFigures(List<PassThrough.Result> windows, BenchResults results) {
    double[] rates = windows.stream().mapToDouble(PassThrough.Result::recordsPerSecond).toArray();
    results.put("streams_baseline.records_per_s", Math.round(ThroughputSearch.median(rates)));
    results.put(
        "streams_baseline.produced_per_s",
        Math.round(
            ThroughputSearch.median(
                windows.stream().mapToDouble(PassThrough.Result::producedPerSecond).toArray())));
    results.put(
        "streams_baseline.records", windows.stream().mapToLong(PassThrough.Result::consumed).sum());
    results.put(
        "streams_baseline.cpu_us_per_record",
        round3(
            ThroughputSearch.median(
                windows.stream().mapToDouble(PassThrough.Result::cpuMicrosPerRecord).toArray())));
    results.put(
        "streams_baseline.broker_cpu_us_per_record",
        round3(
            ThroughputSearch.median(
                windows.stream()
                    .mapToDouble(PassThrough.Result::brokerCpuMicrosPerRecord)
                    .toArray())));
    results.put("streams_baseline.windows", windows.size());
    results.put(
        "streams_baseline.windows_records_per_s",
        Arrays.stream(rates).mapToObj(Math::round).toList());
    results.put(
        "streams_baseline.min_records_per_s", Math.round(Arrays.stream(rates).min().orElseThrow()));
    results.put(
        "streams_baseline.max_records_per_s", Math.round(Arrays.stream(rates).max().orElseThrow()));
  }

  /** One variant's search, its capacity bursts, and their ratios to the baseline windows of the same rounds. */
  private static void searchFigures(
      PipelineVariant variant,
      ThroughputSearch.Outcome outcome,
      List<ThroughputSearch.Step> probes,
      List<PassThrough.Result> windows,
      BenchResults results) {
    String tag = variant.tag();
    String at = variant.field("pipeline." + tag + ".");
    results.put(at + "fops_per_s", Math.round(outcome.fopsPerSecond()));
    results.put(at + "capacity_fops_per_s", Math.round(outcome.capacity()));
    results.put(at + "limited_by", outcome.limitedBy());
    ThroughputSearch.Step best = outcome.best();
    if (best != null) {
      results.put(at + "invalidations_per_s", Math.round(best.invalidationsPerSecond()));
      results.put(at + "invalidations_per_fop", round1(best.invalidationsPerFop()));
      results.put(at + "repartitioned_events_per_fop", round3(best.eventsPerFop()));
      results.put(at + "cpu_us_per_fop", round1(best.cpuMicrosPerFop()));
      results.put(at + "broker_cpu_us_per_fop", round1(best.brokerCpuMicrosPerFop()));
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
      row.put("stream_thread_busy", round3(step.streamThreadBusy()));
      row.put("jvm_run_queue_threads", round3(step.runQueueCores()));
      row.put("producer_flush_share", round3(step.commitWaits()[0]));
      row.put("txn_send_offsets_share", round3(step.commitWaits()[1]));
      row.put("txn_commit_share", round3(step.commitWaits()[2]));
      row.put("fops_committed", step.counts()[0]);
      row.put("fops_written", step.counts()[1]);
      row.put("events_committed", step.counts()[2]);
      row.put("events_written", step.counts()[3]);
      steps.add(row);
    }
    results.put(at + "steps", steps);
    double[] capacities = probes.stream().mapToDouble(ThroughputSearch::capacityOf).toArray();
    results.put(
        at + "capacity_rounds_fops_per_s",
        Arrays.stream(capacities).mapToObj(Math::round).toList());
    if (windows.size() != probes.size()) {
      return;
    }
    // Each burst against the baseline window just before it: the pair saw the same state of the
    // machine.
    double[] ratios = new double[probes.size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = capacities[i] / windows.get(i).recordsPerSecond();
    }
    String ratio = variant.field("ratio." + tag + "_capacity_to_streams_baseline");
    results.put(ratio, round3(ThroughputSearch.median(ratios)));
    results.put(ratio + "_min", round3(Arrays.stream(ratios).min().orElseThrow()));
    results.put(ratio + "_max", round3(Arrays.stream(ratios).max().orElseThrow()));
    results.put(ratio + "_rounds", Arrays.stream(ratios).mapToObj(Bench::round3).toList());
  }

  /** Fan-out and latency of one variant, on a fresh app of their own. */
  private static void latencyAndFanOut(
      BenchKafka kafka,
      BenchSettings settings,
      PipelineVariant variant,
      BenchResults results,
      Consumer<String> progress) {
    String tag = variant.tag();
    String guarantee = variant.describe();
    String sustainedField = variant.field("pipeline." + tag + ".fops_per_s");
    double sustained = results.has(sustainedField) ? results.number(sustainedField) : -1;
    // A fresh app: after the search it would carry the freshness of rates far above the one
    // measured.
    progress.accept("fan-out and latency, " + guarantee + ": starting a fresh streams app");
    String name = variant.name() + "-latency";
    try (PipelineApp app =
        PipelineApp.start(kafka, settings, name, variant.guarantee(), variant.format())) {
      if (settings.measures(Section.FANOUT)) {
        progress.accept(
            "fan-out, "
                + guarantee
                + ": one write to an inode cached by "
                + String.format(Locale.ROOT, "%,d", settings.fanOutClients())
                + " clients");
        // One write is one sample of a JIT- and broker-warmth-dependent figure (0.3–0.7 s on a
        // cold JVM, 0.1 s warm): the median of a few, each on an inode of its own.
        double[] seconds = new double[settings.rounds()];
        long invalidations = Long.MAX_VALUE;
        for (int round = 0; round < seconds.length; round++) {
          FanOut.Result fanOut =
              FanOut.run(kafka, app, settings.fanOutClients(), settings.load().volume());
          progress.accept(fanOut.describe());
          seconds[round] = fanOut.seconds();
          invalidations = Math.min(invalidations, fanOut.invalidations());
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        boolean complete = !Double.isNaN(sorted[sorted.length - 1]);
        results.put(
            variant.field("fanout." + tag + ".seconds"),
            complete ? round3(ThroughputSearch.median(seconds)) : Double.NaN);
        results.put(variant.field("fanout." + tag + ".seconds_min"), round3(sorted[0]));
        results.put(
            variant.field("fanout." + tag + ".seconds_max"), round3(sorted[sorted.length - 1]));
        results.put(variant.field("fanout." + tag + ".invalidations"), invalidations);
        results.put(variant.field("fanout.clients"), settings.fanOutClients());
        results.put(variant.field("fanout.rounds"), seconds.length);
      }
      if (settings.measures(Section.LATENCY)) {
        progress.accept(
            "latency, "
                + guarantee
                + ": publish call → another client's cache applied, "
                + seconds(settings.latencyWindow())
                + " per rate after "
                + seconds(settings.latencyWarmUp()));
        try (PublishToCacheLatency latency =
            new PublishToCacheLatency(kafka, app, settings, progress)) {
          List<Integer> rates = settings.latencyRates();
          for (int i = 0; i < rates.size(); i++) {
            int rate = rates.get(i);
            // Above the sustained rate latency only measures a growing queue; draining it would
            // take minutes and tell nothing, so the runs after an overloaded one start on its
            // backlog (they are overloaded too).
            boolean overloaded = sustained >= 0 && rate > sustained;
            boolean drain = i < rates.size() - 1 && !overloaded;
            PublishToCacheLatency.Percentiles p = latency.measure(rate, drain);
            String at = variant.field("latency." + tag + ".r" + rate + ".");
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
      kafka.deleteTopics(name);
    }
  }

  /**
   * The ratios the targets are about, and the headline fan-out figure (exactly-once, Upcall's default), for the
   * variants of {@code scope}.
   */
  private static void ratios(BenchResults results, String scope) {
    double baseline = results.number("streams_baseline.records_per_s");
    double alo = results.number(scope + "pipeline.alo.fops_per_s");
    double eos = results.number(scope + "pipeline.eos.fops_per_s");
    if (baseline > 0) {
      results.put(scope + "ratio.pipeline_to_streams_baseline", round3(alo / baseline));
      results.put(scope + "ratio.pipeline_eos_to_streams_baseline", round3(eos / baseline));
      // The spread the baseline's own windows put on the sustained rates' ratios.
      double slowest = results.number("streams_baseline.min_records_per_s");
      double fastest = results.number("streams_baseline.max_records_per_s");
      if (slowest > 0 && results.has(scope + "pipeline.alo.fops_per_s")) {
        results.put(scope + "ratio.pipeline_to_streams_baseline_min", round3(alo / fastest));
        results.put(scope + "ratio.pipeline_to_streams_baseline_max", round3(alo / slowest));
      }
      if (slowest > 0 && results.has(scope + "pipeline.eos.fops_per_s")) {
        results.put(scope + "ratio.pipeline_eos_to_streams_baseline_min", round3(eos / fastest));
        results.put(scope + "ratio.pipeline_eos_to_streams_baseline_max", round3(eos / slowest));
      }
    }
    if (baseline > 0 && results.has(scope + "pipeline.alo.invalidations_per_s")) {
      // Each fop in brings invalidations out: what the pipeline moves, against what the baseline
      // moves.
      results.put(
          scope + "ratio.pipeline_records_to_streams_baseline",
          round3((alo + results.number(scope + "pipeline.alo.invalidations_per_s")) / baseline));
    }
    double baselineCpu = results.number("streams_baseline.cpu_us_per_record");
    for (String tag : GUARANTEE_ORDER) {
      double cpu = results.number(scope + "pipeline." + tag + ".cpu_us_per_fop");
      if (baselineCpu > 0 && cpu > 0) {
        // Machine-load-proof: the work per fop, and per record the pipeline moves, against the
        // baseline's per record.
        results.put(
            scope + "ratio." + tag + "_cpu_per_fop_to_baseline_cpu_per_record",
            round1(cpu / baselineCpu));
        double moved = 1 + results.number(scope + "pipeline." + tag + ".invalidations_per_fop");
        results.put(
            scope + "ratio." + tag + "_cpu_per_record_moved_to_baseline",
            round1(cpu / moved / baselineCpu));
      }
    }
    if (results.has(scope + "fanout.clients")) {
      results.put(
          scope + "fanout.seconds",
          results.has(scope + "fanout.eos.seconds")
              ? results.number(scope + "fanout.eos.seconds")
              : results.number(scope + "fanout.alo.seconds"));
    }
  }

  private static void describeRun(
      BenchResults results, BenchSettings settings, BenchCluster cluster) {
    results.put("run.date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
    results.put("run.cores", Runtime.getRuntime().availableProcessors());
    results.put("run.load_average_start", loadAverage());
    results.put(
        "run.java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    results.put("run.cluster", cluster.description());
    results.put("run.partitions", settings.partitions());
    results.put(
        "run.sections", settings.sections().stream().map(Section::option).sorted().toList());
    results.put("run.producer", new LinkedHashMap<>(BenchSettings.PRODUCER));
    results.put("run.streams_overrides", new LinkedHashMap<>(settings.streamsOverrides()));
    results.put("run.commit_interval_ms", commitIntervalMs(settings));
    results.put(
        "run.format",
        settings.formats().isEmpty()
            ? "app default"
            : settings.formats().size() == 1 ? settings.formats().get(0) : "both");
    results.put("run.rounds", settings.rounds());
    LoadSpec load = settings.load();
    results.put(
        "run.load",
        String.format(
            Locale.ROOT,
            "%.0f %% reads, %,d clients, %,d files in %,d directories, "
                + "Zipf %.1f, %d bricks x %d replicas",
            load.readRatio() * 100,
            load.clients(),
            load.files(),
            load.directories(),
            load.zipfExponent(),
            load.bricks(),
            load.replicas()));
    results.put(
        "run.windows_s",
        Map.of(
            "raw",
            settings.rawWindow().toMillis() / 1000.0,
            "baseline",
            settings.baselineWindow().toMillis() / 1000.0,
            "sustain",
            settings.sustainWindow().toMillis() / 1000.0,
            "latency",
            settings.latencyWindow().toMillis() / 1000.0,
            "burst",
            settings.probeWindow().toMillis() / 1000.0,
            "count",
            settings.countWindow().toMillis() / 1000.0));
    results.put("run.count_rate_fops_per_s", settings.countRate());
  }

  /** The commit interval the pipeline apps run with: the run's override, else Upcall's default. */
  static long commitIntervalMs(BenchSettings settings) {
    String override = settings.streamsOverrides().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    return override != null
        ? Long.parseLong(override.trim())
        : UpcallStreamsConfig.COMMIT_INTERVAL_MS_DEFAULT;
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
