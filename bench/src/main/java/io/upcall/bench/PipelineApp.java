package io.upcall.bench;

import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One instance of the Upcall streams app as deployed (Upcall's defaults, the run's overrides), on topics of its own
 * named after the run and bounded like every bench topic, with a state directory of its own.
 */
final class PipelineApp implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final String applicationId;
  private final UpcallTopics topics;
  private final Map<String, Object> config;
  private final Path stateDir;
  private UpcallStreamsApp app;

  private PipelineApp(
      String applicationId, UpcallTopics topics, Map<String, Object> config, Path stateDir) {
    this.applicationId = applicationId;
    this.topics = topics;
    this.config = config;
    this.stateDir = stateDir;
  }

  /**
   * Creates the app's topics and starts it under {@code guarantee}; returns once it is RUNNING.
   *
   * @param name what the app is for, part of its application id and topic names, e.g. {@code alo}
   */
  static PipelineApp start(
      BenchKafka kafka, BenchSettings settings, String name, String guarantee) {
    return start(kafka, settings, name, guarantee, null);
  }

  /**
   * Creates the app's topics and starts it under {@code guarantee}, writing invalidations in {@code format}
   * ({@link BenchSettings#FORMAT_CONFIG}; null for the app's default); returns once it is RUNNING.
   */
  static PipelineApp start(
      BenchKafka kafka, BenchSettings settings, String name, String guarantee, String format) {
    String applicationId = kafka.name(name);
    UpcallTopics topics = UpcallTopics.withPrefix(applicationId + ".");
    Path stateDir;
    try {
      stateDir = Files.createTempDirectory("upcall-bench-state-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Object> config = config(kafka, settings, applicationId, guarantee);
    config.put(UpcallTopics.PREFIX_CONFIG, applicationId + ".");
    config.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    if (format != null) {
      config.put(BenchSettings.FORMAT_CONFIG, format);
    }
    String retention = BenchKafka.BOUNDED.get("retention.ms");
    config.put(TopicSettings.FOPS_RETENTION_MS_CONFIG, retention);
    config.put(TopicSettings.DLQ_RETENTION_MS_CONFIG, retention);
    config.put(TopicSettings.INVALIDATIONS_RETENTION_MS_CONFIG, retention);
    kafka.createBounded(topics.fops(), settings.partitions(), Map.of());
    kafka.createBounded(topics.fopsDlq(), settings.partitions(), Map.of());
    kafka.createBounded(topics.invalidations(), settings.partitions(), Map.of());
    PipelineApp pipeline = new PipelineApp(applicationId, topics, config, stateDir);
    pipeline.startInstance();
    return pipeline;
  }

  /**
   * The configuration every Streams application of the run starts from, the baseline's included: Upcall's
   * defaults, then the run's overrides.
   */
  static Map<String, Object> config(
      BenchKafka kafka, BenchSettings settings, String applicationId, String guarantee) {
    Map<String, Object> config = new HashMap<>();
    config.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    config.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    config.put(TopicSettings.PARTITIONS_CONFIG, settings.partitions());
    config.putAll(settings.streamsOverrides());
    return config;
  }

  /** The Kafka Streams properties Upcall derives from {@link #config} (its defaults applied, validated). */
  static Properties streamsProperties(
      BenchKafka kafka,
      BenchSettings settings,
      String applicationId,
      String guarantee,
      Path stateDir) {
    Map<String, Object> config = config(kafka, settings, applicationId, guarantee);
    config.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return new UpcallStreamsConfig(config).streamsProperties();
  }

  /** How often the app commits: the committed offsets the bench reads its lag from trail by up to this. */
  Duration commitInterval() {
    return new UpcallStreamsConfig(config).commitInterval();
  }

  /** Starts the instance (again, after {@link #stopInstance()}) and waits until it is RUNNING. */
  Duration startInstance() {
    long start = System.nanoTime();
    app = UpcallStreamsApp.start(new UpcallStreamsConfig(config));
    try {
      if (!app.awaitRunning(START_TIMEOUT)) {
        throw new IllegalStateException(
            applicationId
                + " not RUNNING after "
                + START_TIMEOUT.toSeconds()
                + " s: "
                + app.state());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + applicationId + " started", e);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /**
   * Stops processing and punctuating ({@link org.apache.kafka.streams.KafkaStreams#pause()}; the group is kept) while
   * another app of the run is measured: an idle app's punctuators (progress marks into every partition, commits)
   * took 8–13 % of a core on the bench's two.
   */
  void pause() {
    app.streams().pause();
  }

  /** Processes again after {@link #pause()}. */
  void resume() {
    app.streams().resume();
  }

  /** Resumes {@code running} and pauses every other app of {@code apps}: one app measured at a time. */
  static void onlyRunning(PipelineApp running, Collection<PipelineApp> apps) {
    for (PipelineApp app : apps) {
      if (app == running) {
        app.resume();
      } else {
        app.pause();
      }
    }
  }

  /** Closes the instance cleanly (state flushed, group left), keeping its local state. */
  void stopInstance() {
    if (app != null) {
      app.close();
      app = null;
    }
  }

  /** Deletes the instance's local state, as a lost disk or a new host would; the instance must be stopped. */
  void deleteLocalState() {
    if (app != null) {
      throw new IllegalStateException("stop the instance first");
    }
    deleteTree(stateDir.resolve(applicationId));
  }

  String applicationId() {
    return applicationId;
  }

  UpcallTopics topics() {
    return topics;
  }

  /** The application's local state: {@code <state.dir>/<application.id>}. */
  Path localState() {
    return stateDir.resolve(applicationId);
  }

  UpcallStreamsApp app() {
    return app;
  }

  /**
   * Invalidations the app has told so far: its {@code invalidations-total} sensors summed over tasks, one per
   * (change, recipient) whatever the output format. A task that moved away takes its count with it, so deltas are
   * exact only while the app keeps its tasks (a bench app alone in its group does).
   */
  long invalidationsTold() {
    return InvalidationsTold.in(app.streams().metrics());
  }

  /** Nanoseconds the app's producers have spent in a commit's blocking calls so far ({@link ProducerWaits}). */
  long[] producerWaitNanos() {
    return ProducerWaits.in(app.streams().metrics());
  }

  /** The guarantee the app runs with. */
  String guarantee() {
    return (String) config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
  }

  @Override
  public void close() {
    try {
      stopInstance();
    } finally {
      deleteTree(stateDir);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
