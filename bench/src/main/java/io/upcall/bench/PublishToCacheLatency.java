package io.upcall.bench;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.producers.load.LoadRunner;
import io.upcall.producers.load.LoadSummary;
import io.upcall.schemas.Gfids;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency from a brick's publish call to the moment another client's cache has applied the invalidation, at a
 * fixed rate of the realistic load. Probes ride along with the load: an observer client reads a probe inode
 * (LOOKUP), then a writer changes it (WRITE); the time from the WRITE's {@code publish} call to the observer's
 * {@link UpcallClient} listener, which runs after its {@link MetadataCache} applied the invalidation, is one sample.
 */
final class PublishToCacheLatency implements AutoCloseable {
  /** Probe inodes, spread over the partitions; each sees a probe every 64 probes. */
  static final int PROBE_INODES = 64;

  /** Probes per second at most; the load generator makes up the rest of the rate. */
  static final int MAX_PROBES_PER_SECOND = 200;

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STRAGGLER_TIMEOUT = Duration.ofSeconds(10);
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

  /**
   * Publish → cache-applied latency at one rate.
   *
   * @param rate fops/s asked for (load plus probes)
   * @param achievedRate fops/s published (load plus probes)
   * @param samples probes measured (those of the warm-up are not)
   * @param missing probes whose invalidation did not arrive within 10 s of the window's end
   * @param cpuMicrosPerFop CPU of the app's threads per fop published after the warm-up (meaningful when the app
   *     keeps up with the rate)
   * @param brokerCpuMicrosPerFop CPU of the broker process per fop likewise, NaN when the bench cannot see it
   */
  record Percentiles(
      int rate,
      double achievedRate,
      long samples,
      long missing,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      double cpuMicrosPerFop,
      double brokerCpuMicrosPerFop) {

    String describe() {
      return String.format(
          Locale.ROOT,
          "%,6d fops/s (achieved %,.0f): p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, "
              + "max %.1f ms (%,d samples%s; CPU per fop: %.0f us app, %.0f us broker)",
          rate,
          achievedRate,
          p50Ms,
          p99Ms,
          p999Ms,
          maxMs,
          samples,
          missing > 0 ? ", " + missing + " MISSING" : "",
          cpuMicrosPerFop,
          brokerCpuMicrosPerFop);
    }
  }

  private final BenchKafka kafka;
  private final PipelineApp app;
  private final BenchSettings settings;
  private final Consumer<String> progress;
  private final String observerUid;
  private final String writerUid;
  private final String probePrefix;
  private final Gfid[] probeInodes = new Gfid[PROBE_INODES];
  private final BrickPublisher probes;
  private final UpcallClient observer;
  private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
  private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
  private volatile long countFrom = Long.MAX_VALUE;
  private long sequence;

  /** Starts the probe brick and the observer client on {@code app}'s topics; returns when the observer is ready. */
  PublishToCacheLatency(
      BenchKafka kafka, PipelineApp app, BenchSettings settings, Consumer<String> progress) {
    this.kafka = kafka;
    this.app = app;
    this.settings = settings;
    this.progress = progress;
    this.observerUid = "bench-observer-" + app.applicationId();
    this.writerUid = "bench-writer-" + app.applicationId();
    this.probePrefix = "probe-" + app.applicationId() + "-";
    for (int i = 0; i < PROBE_INODES; i++) {
      probeInodes[i] = Gfids.of(UUID.randomUUID());
    }
    this.probes =
        BrickPublisher.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .topics(app.topics())
            .volume(settings.load().volume())
            .brick("bench-probe-brick")
            .properties(BenchSettings.PRODUCER)
            .build();
    UpcallClient client = null;
    try {
      client =
          UpcallClient.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .uid(observerUid)
              .topics(app.topics())
              .cache(MetadataCache.builder().build())
              .listener(this::applied)
              .build();
      if (!client.awaitReady(READY_TIMEOUT)) {
        throw new IllegalStateException(
            "the observer client was not ready within "
                + READY_TIMEOUT.toSeconds()
                + " s (no progress marks from "
                + app.applicationId()
                + "?)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close(client);
      throw new IllegalStateException("interrupted", e);
    } catch (RuntimeException e) {
      close(client);
      throw e;
    }
    this.observer = client;
  }

  /**
   * Runs the load plus probes at {@code rate} fops/s for the latency window and returns the percentiles; with
   * {@code drain}, waits until the app has caught up before returning.
   */
  Percentiles measure(int rate, boolean drain) {
    Duration window = settings.latencyWindow();
    Duration warmUp = settings.latencyWarmUp();
    int probesPerSecond = Math.max(5, Math.min(MAX_PROBES_PER_SECOND, rate / 10));
    double loadRate = Math.max(1, rate - 2.0 * probesPerSecond);
    LoadRunner runner =
        LoadRunner.builder()
            .spec(settings.load())
            .publishers(
                () ->
                    BrickPublisher.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topics(app.topics())
                        .properties(BenchSettings.PRODUCER)
                        .bufferMemory(64L << 20))
            .recordsPerSecond(loadRate)
            .duration(warmUp.plus(window))
            .build();
    recorder.reset();
    sentAt.clear();
    BackgroundLoad load = BackgroundLoad.start(runner);

    // The load generator builds its tree, the JIT warms up and clients become fresh: the warm-up is
    // not counted.
    long start = System.nanoTime();
    long warm = start + warmUp.toNanos();
    long end = warm + window.toNanos();
    long intervalNanos = 1_000_000_000L / probesPerSecond;
    long firstCounted = -1;
    long probesSent = 0;
    long cpuAtWarm = -1;
    long brokerAtWarm = -1;
    long warmAt = 0;
    for (long due = start; due < end; due += intervalNanos) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (firstCounted < 0 && System.nanoTime() >= warm) {
        firstCounted = sequence;
        countFrom = firstCounted;
        cpuAtWarm = ThreadCpu.of(app.applicationId());
        brokerAtWarm = kafka.brokerCpuNanos();
        warmAt = System.nanoTime();
      }
      probe();
      probesSent++;
    }
    LoadSummary summary = load.await();
    double probeSeconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (System.nanoTime() - warmAt) / 1e9;
    long cpuNanos = cpuAtWarm < 0 ? -1 : ThreadCpu.of(app.applicationId()) - cpuAtWarm;
    long brokerNanos = brokerAtWarm < 0 ? -1 : kafka.brokerCpuNanos() - brokerAtWarm;
    long deadline = System.nanoTime() + STRAGGLER_TIMEOUT.toNanos();
    while (pending(firstCounted) > 0 && System.nanoTime() < deadline) {
      BenchKafka.pause(20);
    }
    long missing = pending(firstCounted);
    countFrom = Long.MAX_VALUE;
    Histogram histogram = recorder.getIntervalHistogram();
    double achieved = summary.achievedRecordsPerSecond() + 2 * probesSent / probeSeconds;
    double cpuPerFop = cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / (achieved * cpuSeconds);
    double brokerPerFop =
        brokerNanos < 0 ? Double.NaN : brokerNanos / 1e3 / (achieved * cpuSeconds);
    // No probe came back in time: the percentiles are unknown (longer than the window), not zero.
    boolean none = histogram.getTotalCount() == 0;
    Percentiles result =
        new Percentiles(
            rate,
            achieved,
            histogram.getTotalCount(),
            missing,
            none ? Double.NaN : millis(histogram.getValueAtPercentile(50)),
            none ? Double.NaN : millis(histogram.getValueAtPercentile(99)),
            none ? Double.NaN : millis(histogram.getValueAtPercentile(99.9)),
            none ? Double.NaN : millis(histogram.getMaxValue()),
            cpuPerFop,
            brokerPerFop);
    progress.accept("  " + result.describe());
    if (drain
        && !kafka.awaitNoLag(app.applicationId(), app.topics().fops(), Duration.ofMinutes(2))) {
      throw new IllegalStateException(app.applicationId() + " did not drain after the latency run");
    }
    return result;
  }

  /** One probe: the observer reads the inode, then the writer changes it; the change's publish call is timed. */
  private void probe() {
    long n = sequence++;
    Gfid inode = probeInodes[(int) (n % PROBE_INODES)];
    long now = System.currentTimeMillis();
    probes.publish(fop(Fop.LOOKUP, observerUid, inode, now, probePrefix + "read-" + n));
    FopRecord write = fop(Fop.WRITE, writerUid, inode, now, probePrefix + n);
    write.setStat(stat(n, now));
    sentAt.put(n, System.nanoTime());
    probes.publish(write);
  }

  private long pending(long firstCounted) {
    return firstCounted < 0 ? 0 : sentAt.keySet().stream().filter(n -> n >= firstCounted).count();
  }

  /** The observer's listener: runs on its poll thread after its cache applied {@code invalidation}. */
  private void applied(Invalidation invalidation) {
    long now = System.nanoTime();
    String cause = invalidation.getCauseFopId();
    if (cause == null || !cause.startsWith(probePrefix)) {
      return;
    }
    long n;
    try {
      n = Long.parseLong(cause.substring(probePrefix.length()));
    } catch (NumberFormatException e) {
      return;
    }
    Long sent =
        sentAt.remove(n); // a second copy (at-least-once after a retry) is not a second sample
    if (sent != null && n >= countFrom) {
      recorder.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - sent) / 1_000)));
    }
  }

  private FopRecord fop(Fop type, String client, Gfid inode, long eventTimeMs, String fopId) {
    return FopRecord.newBuilder()
        .setVolume(settings.load().volume())
        .setBrick("bench-probe-brick")
        .setFop(type)
        .setClient(client)
        .setGfid(inode)
        .setEventTimeMs(eventTimeMs)
        .setFopId(fopId)
        .setEntries(List.of())
        .setXattrs(List.of())
        .build();
  }

  private static Iatt stat(long size, long nowMs) {
    long seconds = nowMs / 1000;
    int nanos = (int) (nowMs % 1000) * 1_000_000;
    return Iatt.newBuilder()
        .setType(IaType.REG)
        .setMode(0644)
        .setUid(1000)
        .setGid(1000)
        .setNlink(1)
        .setSize(size)
        .setBlocks((size + 511) / 512)
        .setAtimeSec(seconds)
        .setAtimeNsec(nanos)
        .setMtimeSec(seconds)
        .setMtimeNsec(nanos)
        .setCtimeSec(seconds)
        .setCtimeNsec(nanos)
        .build();
  }

  private static double millis(long micros) {
    return micros / 1_000.0;
  }

  @Override
  public void close() {
    close(observer);
    probes.close(Duration.ofSeconds(10));
  }

  private static void close(UpcallClient client) {
    if (client != null) {
      client.close();
    }
  }
}
