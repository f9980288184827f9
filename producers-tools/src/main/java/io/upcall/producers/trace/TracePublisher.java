package io.upcall.producers.trace;

import io.upcall.avro.FopRecord;
import io.upcall.avro.XattrInterest;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.FopContract;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.TraceEvent;
import io.upcall.schemas.trace.TraceFormatException;
import io.upcall.schemas.trace.TraceReader;
import java.io.Reader;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a JSON-lines trace (docs/trace-format.md): fop lines through one {@link BrickPublisher} per brick the
 * trace names, {@code REGISTER_XATTRS} lines to the xattr-interest topic keyed by client uid.
 *
 * <p>A line that is not in the trace format, or whose fop breaks the contract, is reported with its line number
 * and skipped, or ends the run ({@link OnError#ABORT}). Heartbeats are stamped with the trace's own time (the latest
 * {@code ts} read), never the wall clock: a trace is in event-time order, so no heartbeat gets ahead of a later
 * line. The run stops at the first record Kafka does not acknowledge.
 */
public final class TracePublisher {
  private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

  /** What to do with a malformed line. */
  public enum OnError {
    /** Report it with its line number and go on. */
    SKIP,
    /** Report it and stop; what was read before it stays published. */
    ABORT
  }

  private final String bootstrapServers;
  private final UpcallTopics topics;
  private final Map<String, Object> properties;
  private final Duration maxBlock;
  private final OnError onError;
  private final Consumer<String> progress;
  private final Consumer<String> errors;

  private TracePublisher(Builder builder) {
    this.bootstrapServers = builder.bootstrapServers;
    this.topics = builder.topics;
    this.properties = Map.copyOf(builder.properties);
    this.maxBlock = builder.maxBlock;
    this.onError = builder.onError;
    this.progress = builder.progress;
    this.errors = builder.errors;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Publishes every line of {@code trace}, then flushes.
   *
   * @return the counts
   * @throws TraceFormatException {@code line N: <reason>} for the first malformed line with {@link OnError#ABORT}
   */
  public TraceSummary publish(Reader trace) {
    Run run = new Run();
    try {
      run.readAll(new TraceReader(trace));
    } finally {
      run.close();
    }
    return run.summary();
  }

  /** One pass over a trace, with the producers it opened. */
  private final class Run {
    private final long startNanos = System.nanoTime();
    private final AtomicLong traceTimeMs = new AtomicLong();
    private final InstantSource traceClock = () -> Instant.ofEpochMilli(traceTimeMs.get());
    private final Map<String, BrickPublisher> publishers = new LinkedHashMap<>();
    private Producer<String, XattrInterest> interest;
    private boolean interestUnflushed;
    private final LongAdder fops = new LongAdder();
    private final LongAdder registrations = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private long malformed;
    private long lines;
    private long linesAtLastProgress;
    private long nextProgress = startNanos + PROGRESS_INTERVAL_NANOS;

    void readAll(TraceReader reader) {
      while (firstFailure.get() == null) {
        Optional<TraceEvent> event;
        try {
          event = reader.next();
        } catch (TraceFormatException e) {
          malformed(e);
          continue;
        }
        if (event.isEmpty()) {
          return;
        }
        lines++;
        traceTimeMs.accumulateAndGet(event.get().eventTimeMs(), Math::max);
        if (event.get() instanceof TraceEvent.FopEvent fop) {
          publishFop(fop);
        } else if (event.get() instanceof TraceEvent.XattrRegistration registration) {
          register(registration.interest());
        }
        reportProgress();
      }
    }

    private void publishFop(TraceEvent.FopEvent event) {
      FopRecord record = event.record();
      Optional<String> violation = FopContract.violation(record);
      if (violation.isPresent()) {
        malformed(new TraceFormatException(event.lineNumber(), violation.get()));
        return;
      }
      if (interestUnflushed) {
        interest.flush(); // a registration read before this fop is in Kafka before the fop
        interestUnflushed = false;
      }
      publisherOf(record).publish(record).whenComplete((metadata, error) -> count(fops, error));
    }

    private BrickPublisher publisherOf(FopRecord record) {
      return publishers.computeIfAbsent(
          record.getVolume() + '\u0000' + record.getBrick(),
          key ->
              BrickPublisher.builder()
                  .bootstrapServers(bootstrapServers)
                  .topics(topics)
                  .properties(properties)
                  .maxBlock(maxBlock)
                  .volume(record.getVolume())
                  .brick(record.getBrick())
                  .clock(traceClock)
                  .build());
    }

    private void register(XattrInterest registration) {
      if (interest == null) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "upcall-trace-xattr-interest");
        interest =
            new KafkaProducer<>(
                config, new StringSerializer(), UpcallSerdes.xattrInterest().serializer());
      }
      interest.send(
          new ProducerRecord<>(topics.xattrInterest(), registration.getClient(), registration),
          (metadata, error) -> count(registrations, error));
      interestUnflushed = true;
    }

    private void count(LongAdder acknowledged, Throwable error) {
      if (error == null) {
        acknowledged.increment();
      } else {
        failed.increment();
        firstFailure.compareAndSet(null, error);
      }
    }

    private void malformed(TraceFormatException e) {
      malformed++;
      if (errors != null) {
        errors.accept(e.getMessage() + (onError == OnError.SKIP ? " (skipped)" : ""));
      }
      if (onError == OnError.ABORT) {
        throw e;
      }
    }

    private void reportProgress() {
      long now = System.nanoTime();
      if (progress != null && now >= nextProgress) {
        double seconds = (now - nextProgress + PROGRESS_INTERVAL_NANOS) / 1e9;
        progress.accept(
            String.format(
                Locale.ROOT,
                "publish: %,10.0f records/s  total %,d  errors %,d",
                (lines - linesAtLastProgress) / seconds,
                lines,
                malformed + failed.sum()));
        linesAtLastProgress = lines;
        nextProgress = now + PROGRESS_INTERVAL_NANOS;
      }
    }

    void close() {
      RuntimeException first = null;
      for (BrickPublisher publisher : publishers.values()) {
        try {
          publisher.close();
        } catch (RuntimeException e) {
          first = first == null ? e : first;
        }
      }
      if (interest != null) {
        interest.close();
      }
      if (first != null) {
        throw first;
      }
    }

    TraceSummary summary() {
      Throwable failure = firstFailure.get();
      return new TraceSummary(
          fops.sum(),
          registrations.sum(),
          malformed,
          failed.sum(),
          publishers.size(),
          Duration.ofNanos(System.nanoTime() - startNanos),
          failure == null ? null : failure.getMessage());
    }
  }

  /** Configures a {@link TracePublisher}. */
  public static final class Builder {
    private String bootstrapServers;
    private UpcallTopics topics = UpcallTopics.defaults();
    private final Map<String, Object> properties = new HashMap<>();
    private Duration maxBlock = Duration.ofSeconds(5);
    private OnError onError = OnError.SKIP;
    private Consumer<String> progress;
    private Consumer<String> errors;

    private Builder() {}

    /** The Kafka cluster, {@code host:port[,host:port...]}. Required. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /** The topic names; {@link UpcallTopics#defaults()} unless set. */
    public Builder topics(UpcallTopics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /** Kafka producer properties passed through untouched (security settings). */
    public Builder properties(Map<String, ?> properties) {
      this.properties.putAll(properties);
      return this;
    }

    /** How long a publish may block on a slow or absent broker before it fails (default 5 s). */
    public Builder maxBlock(Duration maxBlock) {
      this.maxBlock = Objects.requireNonNull(maxBlock, "maxBlock");
      return this;
    }

    /** Skip malformed lines (the default) or stop at the first. */
    public Builder onError(OnError onError) {
      this.onError = Objects.requireNonNull(onError, "onError");
      return this;
    }

    /** Where to print a progress line every second (e.g. to stderr); none by default. */
    public Builder progress(Consumer<String> progress) {
      this.progress = progress;
      return this;
    }

    /** Where to report malformed lines, one {@code line N: <reason>} each; none by default. */
    public Builder errors(Consumer<String> errors) {
      this.errors = errors;
      return this;
    }

    /**
     * The publisher; producers are created as the trace names bricks.
     *
     * @throws IllegalArgumentException when the bootstrap servers are missing
     */
    public TracePublisher build() {
      if ((bootstrapServers == null || bootstrapServers.isBlank())
          && properties.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
        throw new IllegalArgumentException("bootstrapServers must be set");
      }
      if (bootstrapServers == null) {
        bootstrapServers = properties.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG).toString();
      }
      return new TracePublisher(this);
    }
  }
}
