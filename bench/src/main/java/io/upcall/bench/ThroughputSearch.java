package io.upcall.bench;

import io.upcall.producers.BrickPublisher;
import io.upcall.producers.load.LoadRunner;
import io.upcall.producers.load.LoadSummary;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Load runs against one pipeline app: a burst of fops, published as fast as the generator goes, estimates its
 * capacity; a fixed-rate run of the sustain window says whether the app's lag (on the fop topic and its repartition
 * topic) grows at that rate ({@link RateLadder} climbs them). After each run the app drains its backlog.
 */
final class ThroughputSearch {
  /** A rate is reached when the load generator published at least this share of it. */
  static final double REACHED = 0.95;

  /** Lag may grow by at most this share of the rate per second over the second half of the window. */
  static final double MAX_LAG_GROWTH = 0.02;

  /** The lowest rate the search starts from, fops/s. */
  static final double MIN_RATE = 500;

  private static final long SAMPLE_MILLIS = 500;
  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);

  /** Where a sample's producer waits start, after the ten fixed figures. */
  private static final int WAITS_AT = 10;

  /**
   * One run of the load generator.
   *
   * @param targetRate fops/s asked for; 0 for as fast as the publishers take them
   * @param producedRate fops/s the publishers acknowledged
   * @param processedRate fops/s the app committed after the first quarter of the window
   * @param finalLag fops the app had not committed when the generator stopped
   * @param lagGrowth the lag's growth over the second half of the window, fops/s (least squares)
   * @param sustained whether the target was reached without growing lag
   * @param eventsPerFop records written to the inode repartition topic per fop
   * @param invalidationsPerSecond invalidations told per second (the app's {@code invalidations-total} sensors: one
   *     per change and recipient, whatever the output format packs into a record)
   * @param cpuMicrosPerFop CPU the app's threads spent per fop processed after the first quarter of the window
   * @param counts after the first quarter: fops committed and written, repartitioned events committed and written
   * @param sourceRate fops/s the first stage committed (what the app read, whether or not the stage behind the
   *     repartition kept up)
   * @param brokerCpuMicrosPerFop CPU of the broker process per fop processed (the load's and the clients' share
   *     of it included), NaN when the bench cannot see it
   * @param fops fops the load generator published
   * @param streamThreadBusy the share of the window the app's stream threads were on a CPU (1 = one thread all
   *     the time), NaN when the JVM cannot tell
   * @param runQueueCores this JVM's threads (app, load generator, JIT) runnable but waiting for a CPU, on average
   *     over the window: how many more cores they would have used, NaN where the kernel does not say
   * @param commitWaits the share of the window the app's producers spent blocked in a commit's calls, one per
   *     {@link ProducerWaits#METRICS} (flush, send offsets, commit transaction)
   */
  record Step(
      double targetRate,
      double producedRate,
      double processedRate,
      long finalLag,
      double lagGrowth,
      boolean sustained,
      double eventsPerFop,
      double invalidationsPerSecond,
      double cpuMicrosPerFop,
      long[] counts,
      double sourceRate,
      double brokerCpuMicrosPerFop,
      long fops,
      double streamThreadBusy,
      double runQueueCores,
      double[] commitWaits) {

    String describe() {
      return String.format(
          Locale.ROOT,
          "%s → published %,.0f/s, processed %,.0f/s, lag at end %,d, lag growth "
              + "%+,.0f/s: %s (%,.0f invalidations/s, %.1f per fop; %.2f repartitioned events per fop; CPU per fop: "
              + "%.0f us app, %.0f us broker; stream thread on a CPU %.0f %% of the time, %.2f threads of this "
              + "JVM waiting for one; waiting for a commit's flush %.0f %%, offsets %.0f %%, commit %.0f %%)",
          targetRate == 0 ? "burst" : String.format(Locale.ROOT, "%,.0f fops/s", targetRate),
          producedRate,
          processedRate,
          finalLag,
          lagGrowth,
          targetRate == 0 ? "capacity estimate" : sustained ? "sustained" : "NOT sustained",
          invalidationsPerSecond,
          invalidationsPerFop(),
          eventsPerFop,
          cpuMicrosPerFop,
          brokerCpuMicrosPerFop,
          100 * streamThreadBusy,
          runQueueCores,
          100 * commitWaits[0],
          100 * commitWaits[1],
          100 * commitWaits[2]);
    }

    /** Invalidations written per fop processed. */
    double invalidationsPerFop() {
      return processedRate <= 0 ? 0 : invalidationsPerSecond / processedRate;
    }
  }

  /**
   * The search's result.
   *
   * @param fopsPerSecond the highest sustained rate (0 when none was)
   * @param capacity the processed rate of the probe's burst
   * @param limitedBy what stopped the search: "streams app" (lag grew), "load generator" (the rate was not reached)
   */
  record Outcome(double fopsPerSecond, double capacity, String limitedBy, List<Step> steps) {

    /** The step that sustained {@link #fopsPerSecond}, or null when none did. */
    Step best() {
      return steps.stream()
          .filter(Step::sustained)
          .filter(step -> step.targetRate() == fopsPerSecond)
          .findFirst()
          .orElse(null);
    }
  }

  private final BenchKafka kafka;
  private final PipelineApp app;
  private final BenchSettings settings;
  private final Consumer<String> progress;

  ThroughputSearch(
      BenchKafka kafka, PipelineApp app, BenchSettings settings, Consumer<String> progress) {
    this.kafka = kafka;
    this.app = app;
    this.settings = settings;
    this.progress = progress;
  }

  /** A burst's processed rate; nothing seen through the repartition yet (a stage not committed): a quarter of the source's. */
  static double capacityOf(Step probe) {
    return probe.processedRate() > 0 ? probe.processedRate() : probe.sourceRate() / 4;
  }

  /** The median of {@code values} (the mean of the middle two for an even count); NaN for none. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  /**
   * The capacity estimate: a burst of fops published as fast as the generator goes, and the rate at which the app
   * works through it during the probe window (an unthrottled run of a whole window would leave a backlog that takes
   * minutes to drain here).
   */
  Step probe() {
    long burst =
        Math.max(10_000, Math.round(3 * MIN_RATE * settings.probeWindow().toMillis() / 1_000.0));
    return step(0, settings.probeWindow(), burst);
  }

  /**
   * Publishes {@code records} fop records at {@code rate} (giving up after {@code cap}, when the machine cannot keep
   * the rate), then lets the app drain: a count of work that does not depend on how fast the machine is.
   */
  Step exactly(double rate, long records, Duration cap) {
    return step(rate, cap, records, new ScheduleClock(System.currentTimeMillis(), rate));
  }

  /** Runs the load generator at {@code rate} for {@code window}, then lets the app drain. */
  Step step(double rate, Duration window) {
    return step(rate, window, 0);
  }

  private Step step(double rate, Duration window, long burst) {
    return step(rate, window, burst, null);
  }

  private Step step(double rate, Duration window, long burst, InstantSource eventClock) {
    String group = app.applicationId();
    String topic = app.topics().fops();
    LoadRunner.Builder builder =
        LoadRunner.builder()
            .spec(settings.load())
            .publishers(
                () ->
                    BrickPublisher.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topics(app.topics())
                        .properties(BenchSettings.PRODUCER)
                        .bufferMemory(64L << 20))
            .recordsPerSecond(rate)
            .duration(window)
            .maxRecords(burst);
    LoadRunner runner = (eventClock == null ? builder : builder.clock(eventClock)).build();
    BackgroundLoad load = BackgroundLoad.start(runner);

    // A burst is watched for the window, or until the app has worked through it.
    List<long[]> samples = new ArrayList<>();
    long end = System.nanoTime() + window.toNanos();
    while (!load.isDone()
        || (burst > 0
            && System.nanoTime() < end
            && (samples.size() < 2 || backlog(samples.get(samples.size() - 1), 0) > 0))) {
      samples.add(sample(group, topic));
      BenchKafka.pause(SAMPLE_MILLIS);
    }
    samples.add(sample(group, topic));
    LoadSummary summary = load.await();
    if (summary.failed() > 0) {
      throw new IllegalStateException(
          "the load generator failed to publish: " + summary.firstFailure());
    }
    long warm = burst > 0 ? samples.get(0)[0] : samples.get(0)[0] + window.toNanos() / 4;
    Step step = measure(rate, summary, samples, warm, app.commitInterval());
    progress.accept("  " + step.describe());
    if (!kafka.awaitNoLag(group, topic, DRAIN_TIMEOUT)) {
      throw new IllegalStateException(
          group + " did not drain its backlog within " + DRAIN_TIMEOUT.toMinutes() + " min");
    }
    return step;
  }

  /**
   * {nanoTime, fops committed, fops end, repartition committed, repartition end, invalidations told, app CPU ns,
   * broker CPU ns, stream threads' CPU ns, this JVM's run-queue wait ns, then the producers' commit waits in ns
   * (one per {@link ProducerWaits#METRICS})}.
   */
  private long[] sample(String group, String topic) {
    long[] waits = app.producerWaitNanos();
    long[] sample = new long[WAITS_AT + waits.length];
    System.arraycopy(waits, 0, sample, WAITS_AT, waits.length);
    sample[6] = ThreadCpu.of(group);
    sample[8] = ThreadCpu.ofStreamThreads(group);
    sample[9] = RunQueueWait.nanos();
    sample[7] = kafka.brokerCpuNanos();
    sample[5] = app.invalidationsTold();
    kafka
        .progress(group, topic)
        .forEach(
            (name, sums) -> {
              int at = name.equals(topic) ? 1 : 3;
              sample[at] += sums[0];
              sample[at + 1] += sums[1];
            });
    sample[0] = System.nanoTime();
    return sample;
  }

  /**
   * The step's figures from the samples after {@code warmNanos}. Fops are done when the stage behind the inode
   * repartition has processed their events too: the processed rate is the source's commit rate scaled by the share
   * of repartitioned events that stage kept up with, and its backlog counts as the fops it stands for.
   */
  private static Step measure(
      double rate,
      LoadSummary summary,
      List<long[]> samples,
      long warmNanos,
      Duration commitInterval) {
    long[] first = samples.get(0);
    for (long[] sample : samples) {
      if (sample[0] >= warmNanos) {
        first = sample;
        break;
      }
    }
    long[] last = samples.get(samples.size() - 1);
    double seconds = (last[0] - first[0]) / 1e9;
    double sourceCommitted = last[1] - first[1];
    double sourceWritten = last[2] - first[2];
    double eventsCommitted = last[3] - first[3];
    double eventsWritten = last[4] - first[4];
    double keptUp = eventsWritten <= 0 ? 1 : Math.min(1, eventsCommitted / eventsWritten);
    double processed = seconds <= 0 ? 0 : sourceCommitted * keptUp / seconds;
    // Repartitioned events per fop: of the fops the first stage did pass on, not of those still
    // waiting for it.
    double fopsPerEvent = eventsWritten <= 0 ? 0 : sourceCommitted / eventsWritten;
    List<double[]> lag = new ArrayList<>();
    for (long[] sample : samples.subList(samples.size() / 2, samples.size())) {
      lag.add(new double[] {sample[0], backlog(sample, fopsPerEvent)});
    }
    double growth = lagGrowth(lag);
    long finalLag = Math.round(backlog(last, fopsPerEvent));
    double produced = summary.achievedRecordsPerSecond();
    // The lag is read from committed offsets, which trail what the app processed by up to one
    // commit interval (1 s under at-least-once): an app that keeps up shows that much lag too.
    boolean sustained =
        rate > 0
            && produced >= REACHED * rate
            && finalLag <= Math.max(1_000, rate * (1 + commitInterval.toMillis() / 1000.0))
            && growth <= MAX_LAG_GROWTH * rate;
    double invalidations = seconds <= 0 ? 0 : (last[5] - first[5]) / seconds;
    double eventsPerFop = sourceCommitted <= 0 ? 0 : eventsWritten / sourceCommitted;
    double fops = sourceCommitted * keptUp;
    double cpu = first[6] < 0 || fops <= 0 ? Double.NaN : (last[6] - first[6]) / 1e3 / fops;
    long[] counts = {
      Math.round(sourceCommitted),
      Math.round(sourceWritten),
      Math.round(eventsCommitted),
      Math.round(eventsWritten)
    };
    double brokerCpu = first[7] < 0 || fops <= 0 ? Double.NaN : (last[7] - first[7]) / 1e3 / fops;
    double nanos = last[0] - first[0];
    double busy = first[8] < 0 || nanos <= 0 ? Double.NaN : (last[8] - first[8]) / nanos;
    // A thread that ended within the window takes its wait with it: never below zero.
    double waiting =
        first[9] < 0 || last[9] < 0 || nanos <= 0
            ? Double.NaN
            : Math.max(0, last[9] - first[9]) / nanos;
    double[] commitWaits = new double[ProducerWaits.METRICS.length];
    for (int i = 0; i < commitWaits.length; i++) {
      commitWaits[i] = nanos <= 0 ? Double.NaN : (last[WAITS_AT + i] - first[WAITS_AT + i]) / nanos;
    }
    return new Step(
        rate,
        produced,
        processed,
        finalLag,
        growth,
        sustained,
        eventsPerFop,
        invalidations,
        cpu,
        counts,
        seconds <= 0 ? 0 : sourceCommitted / seconds,
        brokerCpu,
        summary.fops(),
        busy,
        waiting,
        commitWaits);
  }

  /** Fops not yet processed: the source's backlog plus the repartition backlog in the fops it stands for. */
  private static double backlog(long[] sample, double fopsPerEvent) {
    return Math.max(0, sample[2] - sample[1]) + Math.max(0, sample[4] - sample[3]) * fopsPerEvent;
  }

  /** Least-squares slope of lag over time, per second. */
  private static double lagGrowth(List<double[]> samples) {
    if (samples.size() < 2) {
      return 0;
    }
    double t0 = samples.get(0)[0];
    double meanT = 0;
    double meanLag = 0;
    for (double[] sample : samples) {
      meanT += (sample[0] - t0) / 1e9;
      meanLag += sample[1];
    }
    meanT /= samples.size();
    meanLag /= samples.size();
    double covariance = 0;
    double variance = 0;
    for (double[] sample : samples) {
      double t = (sample[0] - t0) / 1e9 - meanT;
      covariance += t * (sample[1] - meanLag);
      variance += t * t;
    }
    return variance == 0 ? 0 : covariance / variance;
  }

  /** Three significant digits: rates like 123,000 read better than 123,456. */
  static double round(double rate) {
    if (rate <= 0) {
      return 0;
    }
    double scale = Math.pow(10, Math.floor(Math.log10(rate)) - 2);
    return Math.round(rate / scale) * scale;
  }
}
