package io.upcall.producers.load;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.producers.BrickPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs a {@link FopGenerator} against Kafka: one {@link BrickPublisher} per simulated brick, at a target rate or as
 * fast as the producers accept, for a duration or a record count, with a progress line every second.
 *
 * <p>Event times come from the wall clock, or with {@link Builder#virtualTime} from a synthetic clock that starts at
 * a fixed instant and advances by one rate interval per record, which makes a run (and its dump) reproducible. The
 * publishers' heartbeats are stamped with the latest event time handed out, so no heartbeat ever gets ahead of a
 * fop still to be published. The run stops at the first failed record: a load generator that cannot publish has
 * nothing useful left to measure.
 */
public final class LoadRunner {
  private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

  private final LoadSpec spec;
  private final Supplier<BrickPublisher.Builder> publishers;
  private final double recordsPerSecond;
  private final Duration duration;
  private final long maxRecords;
  private final InstantSource clock;
  private final Long virtualStartMs;
  private final Consumer<String> progress;
  private final Consumer<FopRecord> dump;

  private final AtomicLong latestStampMs = new AtomicLong(Long.MIN_VALUE);
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private final Recorder latencyMicros = new Recorder(3);
  private volatile boolean stopRequested;

  private LoadRunner(Builder builder) {
    this.spec = builder.spec;
    this.publishers = builder.publishers;
    this.recordsPerSecond = builder.recordsPerSecond;
    this.duration = builder.duration;
    this.maxRecords = builder.maxRecords;
    this.clock = builder.clock;
    this.virtualStartMs = builder.virtualStartMs;
    this.progress = builder.progress;
    this.dump = builder.dump;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Asks a running {@link #run()} to stop after the fop in hand (e.g. from a shutdown hook); it then flushes. */
  public void stop() {
    stopRequested = true;
  }

  /**
   * Generates and publishes until the duration or count is reached, {@link #stop()} is called or a record fails;
   * then flushes and closes the publishers.
   */
  public LoadSummary run() {
    FopGenerator generator = new FopGenerator(spec);
    InstantSource heartbeatClock = () -> Instant.ofEpochMilli(Math.max(0, latestStampMs.get()));
    Map<String, BrickPublisher> byBrick = new LinkedHashMap<>();
    Map<Fop, Long> byType = new EnumMap<>(Fop.class);
    long startNanos = System.nanoTime();
    long records = 0;
    try {
      if (publishers != null) {
        for (String brick : generator.bricks()) {
          byBrick.put(
              brick,
              publishers.get().volume(spec.volume()).brick(brick).clock(heartbeatClock).build());
        }
      }
      long nextProgress = startNanos + PROGRESS_INTERVAL_NANOS;
      long recordsAtLastProgress = 0;
      long firstStampMs = Long.MIN_VALUE;
      while (!stopRequested
          && firstFailure.get() == null
          && (maxRecords <= 0 || records < maxRecords)) {
        long now = System.nanoTime();
        if (recordsPerSecond > 0 && virtualStartMs == null) {
          long due = startNanos + (long) (records * 1e9 / recordsPerSecond);
          if (due > now) {
            LockSupport.parkNanos(Math.min(due - now, PROGRESS_INTERVAL_NANOS / 4));
            continue;
          }
        }
        long stampMs = stamp(records);
        if (firstStampMs == Long.MIN_VALUE) {
          firstStampMs = stampMs;
        }
        if (duration != null
            && (virtualStartMs != null
                ? stampMs - firstStampMs >= duration.toMillis()
                : now - startNanos >= duration.toNanos())) {
          break;
        }
        List<FopRecord> fop = generator.next(stampMs);
        byType.merge(fop.get(0).getFop(), 1L, Long::sum);
        for (FopRecord record : fop) {
          if (dump != null) {
            dump.accept(record);
          }
          if (publishers != null) {
            publish(byBrick.get(record.getBrick()), record);
          } else {
            acknowledged.increment(); // a dry run "acknowledges" what it dumped
          }
          records++;
        }
        if (progress != null && now >= nextProgress) {
          double seconds = (now - nextProgress + PROGRESS_INTERVAL_NANOS) / 1e9;
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "load: %5.0f s  %,10.0f records/s  total %,d  acknowledged %,d  failed %,d",
                  (now - startNanos) / 1e9,
                  (records - recordsAtLastProgress) / seconds,
                  records,
                  acknowledged.sum(),
                  failed.sum()));
          nextProgress = now + PROGRESS_INTERVAL_NANOS;
          recordsAtLastProgress = records;
        }
      }
    } finally {
      for (BrickPublisher publisher : byBrick.values()) {
        publisher.close();
      }
    }
    Histogram latency = latencyMicros.getIntervalHistogram();
    Throwable failure = firstFailure.get();
    return new LoadSummary(
        Duration.ofNanos(System.nanoTime() - startNanos),
        generator.fops(),
        records,
        acknowledged.sum(),
        failed.sum(),
        byType,
        Duration.ofNanos(latency.getValueAtPercentile(50) * 1000),
        Duration.ofNanos(latency.getValueAtPercentile(99) * 1000),
        failure == null ? null : failure.getMessage(),
        publishers != null);
  }

  /** The event time of the next fop: never earlier than the last one, so per-brick time only moves forward. */
  private long stamp(long records) {
    long stampMs =
        virtualStartMs != null
            ? virtualStartMs
                + (long) (records * 1000.0 / (recordsPerSecond > 0 ? recordsPerSecond : 1000))
            : clock.millis();
    return latestStampMs.accumulateAndGet(stampMs, Math::max);
  }

  private void publish(BrickPublisher publisher, FopRecord record) {
    long startNanos = System.nanoTime();
    publisher
        .publish(record)
        .whenComplete(
            (metadata, error) -> {
              if (error == null) {
                latencyMicros.recordValue((System.nanoTime() - startNanos) / 1000);
                acknowledged.increment();
              } else {
                failed.increment();
                firstFailure.compareAndSet(null, error);
              }
            });
  }

  /** Configures a {@link LoadRunner}. */
  public static final class Builder {
    private LoadSpec spec = LoadSpec.defaults();
    private Supplier<BrickPublisher.Builder> publishers;
    private double recordsPerSecond;
    private Duration duration;
    private long maxRecords;
    private InstantSource clock = Clock.systemUTC();
    private Long virtualStartMs;
    private Consumer<String> progress;
    private Consumer<FopRecord> dump;

    private Builder() {}

    /** The volume to simulate (default {@link LoadSpec#defaults()}). */
    public Builder spec(LoadSpec spec) {
      this.spec = Objects.requireNonNull(spec, "spec");
      return this;
    }

    /**
     * Publisher settings shared by every brick (bootstrap servers, topics, bounds, properties); the runner sets
     * volume, brick and clock. Without it the run is dry: records are generated (and dumped) but not published.
     */
    public Builder publishers(Supplier<BrickPublisher.Builder> publishers) {
      this.publishers = publishers;
      return this;
    }

    /** Target rate in records per second; 0 (the default) publishes as fast as the producers accept. */
    public Builder recordsPerSecond(double recordsPerSecond) {
      if (!(recordsPerSecond >= 0) || Double.isInfinite(recordsPerSecond)) {
        throw new IllegalArgumentException(
            "recordsPerSecond must be a finite number >= 0, got " + recordsPerSecond);
      }
      this.recordsPerSecond = recordsPerSecond;
      return this;
    }

    /** Stop after this long (event time with virtual time); null to run until the count or {@link #stop()}. */
    public Builder duration(Duration duration) {
      if (duration != null && (duration.isNegative() || duration.isZero())) {
        throw new IllegalArgumentException("duration must be positive, got " + duration);
      }
      this.duration = duration;
      return this;
    }

    /** Stop after this many records; 0 for no limit. */
    public Builder maxRecords(long maxRecords) {
      if (maxRecords < 0) {
        throw new IllegalArgumentException("maxRecords must be >= 0, got " + maxRecords);
      }
      this.maxRecords = maxRecords;
      return this;
    }

    /** The clock event times come from (default: the system clock). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Synthetic event times: start at {@code startMs} and advance one rate interval per record (1 ms without a
     * rate), generating as fast as possible, so the same seed gives the same records byte for byte.
     */
    public Builder virtualTime(long startMs) {
      this.virtualStartMs = startMs;
      return this;
    }

    /** Where to print a progress line every second (e.g. to stderr); none by default. */
    public Builder progress(Consumer<String> progress) {
      this.progress = progress;
      return this;
    }

    /** Receives every generated record in order (e.g. to write a trace). */
    public Builder dump(Consumer<FopRecord> dump) {
      this.dump = dump;
      return this;
    }

    public LoadRunner build() {
      if (duration == null && maxRecords == 0 && publishers == null) {
        throw new IllegalArgumentException("a dry run needs a duration or a record count");
      }
      return new LoadRunner(this);
    }
  }
}
