package io.upcall.streams;

import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.ops.HttpSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The streams application's configuration: every option a named constant with a doc string and a default,
 * validated on construction (a bad value is a {@link ConfigException} naming the option). Any other Kafka or
 * Kafka Streams property passes through to {@link org.apache.kafka.streams.KafkaStreams} unchanged.
 */
public final class UpcallStreamsConfig extends AbstractConfig {
  /** Prefix of the environment variables read by {@link #load}. */
  public static final String ENV_PREFIX = "UPCALL_";

  public static final String BOOTSTRAP_SERVERS_CONFIG = StreamsConfig.BOOTSTRAP_SERVERS_CONFIG;
  private static final String BOOTSTRAP_SERVERS_DOC =
      "Kafka brokers to connect to, host:port[,host:port...].";
  public static final String BOOTSTRAP_SERVERS_DEFAULT = "localhost:9092";

  public static final String APPLICATION_ID_CONFIG = StreamsConfig.APPLICATION_ID_CONFIG;
  private static final String APPLICATION_ID_DOC =
      "Kafka Streams application id: the consumer group, and the "
          + "prefix of the internal repartition and changelog topics. Instances with the same id share the work.";
  public static final String APPLICATION_ID_DEFAULT = "upcall-streams";

  public static final String TOPIC_PREFIX_CONFIG = UpcallTopics.PREFIX_CONFIG;

  public static final String PROCESSING_GUARANTEE_CONFIG =
      StreamsConfig.PROCESSING_GUARANTEE_CONFIG;
  private static final String PROCESSING_GUARANTEE_DOC =
      "exactly_once_v2 (default): state and invalidations "
          + "are committed together, and read_committed clients see invalidations only at commit (adds about the "
          + "commit interval to latency). at_least_once: lower latency, but after a crash some invalidations may be "
          + "sent twice (harmless) and state may replay.";
  public static final String PROCESSING_GUARANTEE_DEFAULT = StreamsConfig.EXACTLY_ONCE_V2;

  public static final String COMMIT_INTERVAL_MS_CONFIG = StreamsConfig.COMMIT_INTERVAL_MS_CONFIG;
  private static final String COMMIT_INTERVAL_MS_DOC =
      "How often state and output are committed, in ms; under "
          + "exactly_once_v2 this bounds how long an invalidation waits before clients can read it (default 100). Under "
          + "at_least_once output is readable at once and a commit only bounds what a crash replays, while every commit "
          + "flushes every RocksDB store: the default there is 1000.";
  public static final long COMMIT_INTERVAL_MS_DEFAULT = 100;

  /**
   * Under at-least-once Kafka Streams 4.x commits every persistent store (a RocksDB memtable flush and an offset
   * checkpoint) at every commit, which exactly-once skips: at 100 ms that cost more than the transactions saved.
   */
  public static final long COMMIT_INTERVAL_MS_AT_LEAST_ONCE_DEFAULT = 1000;

  public static final String NUM_STREAM_THREADS_CONFIG = StreamsConfig.NUM_STREAM_THREADS_CONFIG;
  private static final String NUM_STREAM_THREADS_DOC = "Stream threads in this instance (>= 1).";
  public static final int NUM_STREAM_THREADS_DEFAULT = 1;

  public static final String STATE_DIR_CONFIG = StreamsConfig.STATE_DIR_CONFIG;
  private static final String STATE_DIR_DOC =
      "Directory of the local state stores (RocksDB); restored from the "
          + "changelog topics when missing.";
  public static final String STATE_DIR_DEFAULT =
      Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString();

  public static final String CACHE_INVALIDATION_CONFIG = Switches.CACHE_INVALIDATION;
  private static final String CACHE_INVALIDATION_DOC =
      "on/off: off means no tracking and no invalidations. "
          + "The start-up value; the upcall.config topic changes it at runtime on every instance.";
  public static final String CACHE_INVALIDATION_DEFAULT = "on";

  public static final String CACHE_INVALIDATION_TIMEOUT_CONFIG =
      Switches.CACHE_INVALIDATION_TIMEOUT;
  private static final String CACHE_INVALIDATION_TIMEOUT_DOC =
      "T in whole seconds (>= 0): a client is notified "
          + "of a change when it accessed the inode less than T seconds before; 0 notifies nobody. The start-up "
          + "value; the upcall.config topic changes it at runtime on every instance.";
  public static final int CACHE_INVALIDATION_TIMEOUT_DEFAULT = 60;

  public static final String NOTIFY_CONTENTION_DELAY_CONFIG = Switches.NOTIFY_CONTENTION_DELAY;
  private static final String NOTIFY_CONTENTION_DELAY_DOC =
      "Whole seconds (>= 0) between two lock-contention "
          + "notices to one lock holder on one inode, in event time (GlusterFS's notify-contention-delay); 0 sends every "
          + "notice. Lease recalls are never held back. The start-up value; the upcall.config topic changes it at "
          + "runtime on every instance.";
  public static final int NOTIFY_CONTENTION_DELAY_DEFAULT =
      Switches.NOTIFY_CONTENTION_DELAY_DEFAULT;

  /** Runtime switch: the wire format of upcall.invalidations. */
  public static final String INVALIDATION_FORMAT_CONFIG = Switches.INVALIDATION_FORMAT;

  private static final String INVALIDATION_FORMAT_DOC =
      "How invalidations are written to upcall.invalidations: "
          + "batched (one record per partition listing many clients' changes, each change encoded once) or per-client "
          + "(one record per client and change, the format before batches). Clients of this version read both; upgrade "
          + "every client before switching an existing deployment to batched. Runtime-settable through upcall.config.";

  /** Batches for new deployments. */
  public static final String INVALIDATION_FORMAT_DEFAULT = Switches.INVALIDATION_FORMAT_DEFAULT;

  /** Longest wait of an invalidation in a batch, ms. */
  public static final String BATCH_MAX_DELAY_MS_CONFIG = BatchSettings.MAX_DELAY_MS_CONFIG;

  /** Size at which a batch is written at once, bytes. */
  public static final String BATCH_MAX_BYTES_CONFIG = BatchSettings.MAX_BYTES_CONFIG;

  /** Most (gfid, client) pairs tracked by the application; see {@link TrackingBound}. */
  public static final String MAX_TRACKED_PAIRS_CONFIG = TrackingBound.MAX_TRACKED_PAIRS_CONFIG;

  /** Where the tracked pairs live: rocksdb or in-memory; see {@link TrackedPairsStore}. */
  public static final String TRACKED_PAIRS_STORE_CONFIG = TrackedPairsStore.CONFIG;

  public static final String EXPIRY_INTERVAL_MS_CONFIG = "upcall.expiry.interval.ms";
  private static final String EXPIRY_INTERVAL_MS_DOC =
      "Wall-clock interval of the punctuation that drops state "
          + "idle for 2*T, in ms (>= 100). Each run spends at most ~"
          + UpcallProcessor.SWEEP_BUDGET.toMillis()
          + " ms per store and resumes there next time, so a shorter interval sweeps big stores faster.";
  public static final long EXPIRY_INTERVAL_MS_DEFAULT = 1_000;

  public static final String POLL_MS_CONFIG = StreamsConfig.POLL_MS_CONFIG;
  private static final String POLL_MS_DOC =
      "poll.ms of Kafka Streams (>= 1): how long a stream thread with nothing to process waits for input before it"
          + " runs its wall-clock punctuations. Streams' default of 100 ms held a batch of invalidations (max delay"
          + " 5 ms) and the next chunk of a large fan-out up to 100 ms on a quiet pipeline; at 5 ms an idle thread"
          + " wakes 200 times a second.";
  public static final long POLL_MS_DEFAULT = 5;

  public static final String STATESTORE_CACHE_MAX_BYTES_CONFIG =
      StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG;
  private static final String STATESTORE_CACHE_MAX_BYTES_DOC =
      "statestore.cache.max.bytes of Kafka Streams (>= 0): the record cache of the stream threads, shared by the"
          + " stores that coalesce rewrites until a commit (the invalidation outbox, the tracking journal, the inode"
          + " meta). A put into a full cache writes the putting store's own dirty entries at once: with Streams'"
          + " default of 10 MiB the cache filled within minutes (with clean entries of the journal and the inode"
          + " meta), and the outbox then wrote its open batches to its changelog 0.5-1 times per fop instead of about"
          + " once per commit.";
  public static final long STATESTORE_CACHE_MAX_BYTES_DEFAULT = 128L * 1024 * 1024;

  public static final String PRODUCER_LINGER_MS_CONFIG =
      StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG);
  private static final String PRODUCER_LINGER_MS_DOC =
      "linger.ms of the Streams producer (>= 0). Streams' own "
          + "default of 100 ms would add ~50 ms to every invalidation; 5 ms keeps batching with p50 ~ 8 ms.";
  public static final int PRODUCER_LINGER_MS_DEFAULT = 5;

  public static final String PRODUCER_MAX_IN_FLIGHT_CONFIG =
      StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
  private static final String PRODUCER_MAX_IN_FLIGHT_DOC =
      "max.in.flight.requests.per.connection of the Streams producer (1 to 5). With more than one, a broker before"
          + " Kafka 4.5 can take a later request to a partition it has just created before an earlier one it"
          + " refused as not yet its own, and the earlier one then loops on OUT_OF_ORDER_SEQUENCE_NUMBER until"
          + " delivery.timeout.ms (KAFKA-15591): Streams creates its changelog and repartition topics at start and"
          + " writes to them at once, and on a three-broker cluster that stalled the app for minutes.";
  public static final int PRODUCER_MAX_IN_FLIGHT_DEFAULT = 1;

  public static final String REPLICATION_FACTOR_CONFIG = StreamsConfig.REPLICATION_FACTOR_CONFIG;
  private static final String REPLICATION_FACTOR_DOC =
      "Replicas of the internal repartition and changelog topics; "
          + "-1 takes the brokers' default.replication.factor.";
  public static final int REPLICATION_FACTOR_DEFAULT = -1;

  private static final ConfigDef CONFIG =
      new ConfigDef()
          .define(
              BOOTSTRAP_SERVERS_CONFIG,
              Type.LIST,
              BOOTSTRAP_SERVERS_DEFAULT,
              (name, value) -> {
                if (value == null || ((List<?>) value).isEmpty()) {
                  throw new ConfigException(name, value, "at least one host:port is needed");
                }
              },
              Importance.HIGH,
              BOOTSTRAP_SERVERS_DOC)
          .define(
              APPLICATION_ID_CONFIG,
              Type.STRING,
              APPLICATION_ID_DEFAULT,
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              APPLICATION_ID_DOC)
          .define(
              TOPIC_PREFIX_CONFIG,
              Type.STRING,
              UpcallTopics.PREFIX_DEFAULT,
              (name, value) -> {
                try {
                  UpcallTopics.withPrefix((String) value);
                } catch (IllegalArgumentException e) {
                  throw new ConfigException(name, value, e.getMessage());
                }
              },
              Importance.MEDIUM,
              UpcallTopics.PREFIX_DOC)
          .define(
              PROCESSING_GUARANTEE_CONFIG,
              Type.STRING,
              PROCESSING_GUARANTEE_DEFAULT,
              ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
              Importance.MEDIUM,
              PROCESSING_GUARANTEE_DOC)
          .define(
              COMMIT_INTERVAL_MS_CONFIG,
              Type.LONG,
              COMMIT_INTERVAL_MS_DEFAULT,
              ConfigDef.Range.atLeast(1),
              Importance.MEDIUM,
              COMMIT_INTERVAL_MS_DOC)
          .define(
              NUM_STREAM_THREADS_CONFIG,
              Type.INT,
              NUM_STREAM_THREADS_DEFAULT,
              ConfigDef.Range.atLeast(1),
              Importance.MEDIUM,
              NUM_STREAM_THREADS_DOC)
          .define(
              STATE_DIR_CONFIG,
              Type.STRING,
              STATE_DIR_DEFAULT,
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              STATE_DIR_DOC)
          .define(
              CACHE_INVALIDATION_CONFIG,
              Type.STRING,
              CACHE_INVALIDATION_DEFAULT,
              (name, value) -> {
                try {
                  Switches.parseOnOff((String) value);
                } catch (IllegalArgumentException e) {
                  throw new ConfigException(name, value, "must be on or off");
                }
              },
              Importance.HIGH,
              CACHE_INVALIDATION_DOC)
          .define(
              CACHE_INVALIDATION_TIMEOUT_CONFIG,
              Type.INT,
              CACHE_INVALIDATION_TIMEOUT_DEFAULT,
              ConfigDef.Range.atLeast(0),
              Importance.HIGH,
              CACHE_INVALIDATION_TIMEOUT_DOC)
          .define(
              NOTIFY_CONTENTION_DELAY_CONFIG,
              Type.INT,
              NOTIFY_CONTENTION_DELAY_DEFAULT,
              ConfigDef.Range.atLeast(0),
              Importance.MEDIUM,
              NOTIFY_CONTENTION_DELAY_DOC)
          .define(
              INVALIDATION_FORMAT_CONFIG,
              Type.STRING,
              INVALIDATION_FORMAT_DEFAULT,
              parsedBy(InvalidationFormat::parse, "per-client or batched"),
              Importance.MEDIUM,
              INVALIDATION_FORMAT_DOC)
          .define(
              BATCH_MAX_DELAY_MS_CONFIG,
              Type.LONG,
              BatchSettings.MAX_DELAY_MS_DEFAULT,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              BatchSettings.MAX_DELAY_MS_DOC)
          .define(
              BATCH_MAX_BYTES_CONFIG,
              Type.INT,
              BatchSettings.MAX_BYTES_DEFAULT,
              ConfigDef.Range.between(1024, 900_000),
              Importance.LOW,
              BatchSettings.MAX_BYTES_DOC)
          .define(
              EXPIRY_INTERVAL_MS_CONFIG,
              Type.LONG,
              EXPIRY_INTERVAL_MS_DEFAULT,
              ConfigDef.Range.atLeast(100),
              Importance.LOW,
              EXPIRY_INTERVAL_MS_DOC)
          .define(
              POLL_MS_CONFIG,
              Type.LONG,
              POLL_MS_DEFAULT,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              POLL_MS_DOC)
          .define(
              STATESTORE_CACHE_MAX_BYTES_CONFIG,
              Type.LONG,
              STATESTORE_CACHE_MAX_BYTES_DEFAULT,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              STATESTORE_CACHE_MAX_BYTES_DOC)
          .define(
              PRODUCER_LINGER_MS_CONFIG,
              Type.INT,
              PRODUCER_LINGER_MS_DEFAULT,
              ConfigDef.Range.atLeast(0),
              Importance.MEDIUM,
              PRODUCER_LINGER_MS_DOC)
          .define(
              PRODUCER_MAX_IN_FLIGHT_CONFIG,
              Type.INT,
              PRODUCER_MAX_IN_FLIGHT_DEFAULT,
              ConfigDef.Range.between(1, 5),
              Importance.LOW,
              PRODUCER_MAX_IN_FLIGHT_DOC)
          .define(
              ProgressMarks.INTERVAL_MS_CONFIG,
              Type.LONG,
              ProgressMarks.INTERVAL_MS_DEFAULT,
              ConfigDef.Range.atLeast(10),
              Importance.MEDIUM,
              ProgressMarks.INTERVAL_MS_DOC)
          .define(
              ProgressMarks.BRICK_TIMEOUT_MS_CONFIG,
              Type.LONG,
              ProgressMarks.BRICK_TIMEOUT_MS_DEFAULT,
              ConfigDef.Range.atLeast(1_000),
              Importance.LOW,
              ProgressMarks.BRICK_TIMEOUT_MS_DOC)
          .define(
              REPLICATION_FACTOR_CONFIG,
              Type.INT,
              REPLICATION_FACTOR_DEFAULT,
              (name, value) -> {
                int replicas = (Integer) value;
                if (replicas != -1 && replicas < 1) {
                  throw new ConfigException(
                      name, value, "must be -1 (the brokers' default) or >= 1");
                }
              },
              Importance.MEDIUM,
              REPLICATION_FACTOR_DOC)
          .define(
              HttpSettings.PORT_CONFIG,
              Type.INT,
              HttpSettings.PORT_DEFAULT,
              ConfigDef.Range.between(-1, 65_535),
              Importance.MEDIUM,
              HttpSettings.PORT_DOC)
          .define(
              HttpSettings.BIND_ADDRESS_CONFIG,
              Type.STRING,
              HttpSettings.BIND_ADDRESS_DEFAULT,
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              HttpSettings.BIND_ADDRESS_DOC)
          .define(
              HttpSettings.ADVERTISED_HOST_CONFIG,
              Type.STRING,
              HttpSettings.ADVERTISED_HOST_DEFAULT,
              Importance.LOW,
              HttpSettings.ADVERTISED_HOST_DOC)
          .define(
              HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG,
              Type.BOOLEAN,
              HttpSettings.ALLOW_CONFIG_CHANGES_DEFAULT,
              Importance.LOW,
              HttpSettings.ALLOW_CONFIG_CHANGES_DOC)
          .define(
              MAX_TRACKED_PAIRS_CONFIG,
              Type.LONG,
              TrackingBound.MAX_TRACKED_PAIRS_DEFAULT,
              ConfigDef.Range.atLeast(1),
              Importance.MEDIUM,
              TrackingBound.MAX_TRACKED_PAIRS_DOC)
          .define(
              TRACKED_PAIRS_STORE_CONFIG,
              Type.STRING,
              TrackedPairsStore.DEFAULT,
              parsedBy(TrackedPairsStore::parse, "rocksdb or in-memory"),
              Importance.MEDIUM,
              TrackedPairsStore.DOC);

  /**
   * Accepts what {@code parse} accepts (it throws IllegalArgumentException otherwise); a refused value names the
   * option and {@code choices}.
   */
  private static ConfigDef.Validator parsedBy(Consumer<String> parse, String choices) {
    return (name, value) -> {
      try {
        parse.accept(value == null ? null : value.toString());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, "must be " + choices);
      }
    };
  }

  /** Options of this application and of its topics, which are not Kafka Streams properties. */
  private static final Set<String> UPCALL_ONLY =
      Set.of(
          TOPIC_PREFIX_CONFIG,
          CACHE_INVALIDATION_CONFIG,
          CACHE_INVALIDATION_TIMEOUT_CONFIG,
          NOTIFY_CONTENTION_DELAY_CONFIG,
          INVALIDATION_FORMAT_CONFIG,
          EXPIRY_INTERVAL_MS_CONFIG,
          MAX_TRACKED_PAIRS_CONFIG,
          TRACKED_PAIRS_STORE_CONFIG);

  /**
   * Validates {@code props}.
   *
   * @throws ConfigException naming the option when a value is missing, malformed or out of range
   */
  public UpcallStreamsConfig(Map<?, ?> props) {
    super(CONFIG, props, false);
    topicSettings(); // validated now rather than when the topics are ensured
    trackedPairsStore()
        .checkFits(getLong(MAX_TRACKED_PAIRS_CONFIG), Runtime.getRuntime().maxMemory());
  }

  /**
   * The configuration from, in rising precedence: the defaults, {@code file} (a properties file; may be null),
   * the {@code UPCALL_*} variables of {@code env} (UPCALL_CACHE_INVALIDATION_TIMEOUT for
   * cache-invalidation-timeout, UPCALL_TOPICS_PREFIX for upcall.topics.prefix, UPCALL_PRODUCER_ACKS for
   * producer.acks), and {@code overrides} (e.g. command-line options).
   *
   * @throws ConfigException naming the option when a value is bad, or the file cannot be read
   */
  public static UpcallStreamsConfig load(
      Path file, Map<String, String> env, Map<String, ?> overrides) {
    Map<Object, Object> props = new HashMap<>();
    if (file != null) {
      Properties fromFile = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        fromFile.load(in);
      } catch (IOException e) {
        throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
      }
      fromFile.forEach((key, value) -> props.put(key, value.toString().trim()));
    }
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
            props.put(optionOf(name), value);
          }
        });
    props.putAll(overrides);
    return new UpcallStreamsConfig(props);
  }

  /** The option an {@code UPCALL_*} environment variable sets: a known option whose name it spells, else dotted. */
  static String optionOf(String envName) {
    for (String option : knownOptions()) {
      if (envNameOf(option).equals(envName)) {
        return option;
      }
    }
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** E.g. UPCALL_CACHE_INVALIDATION_TIMEOUT for cache-invalidation-timeout, UPCALL_TOPICS_PREFIX for upcall.topics.prefix. */
  static String envNameOf(String option) {
    String name = option.startsWith("upcall.") ? option.substring("upcall.".length()) : option;
    return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static Set<String> knownOptions() {
    Set<String> known = new HashSet<>(CONFIG.names());
    known.addAll(
        Set.of(
            TopicSettings.PARTITIONS_CONFIG,
            TopicSettings.FOPS_PARTITIONS_CONFIG,
            TopicSettings.INVALIDATIONS_PARTITIONS_CONFIG,
            TopicSettings.REPLICATION_FACTOR_CONFIG,
            TopicSettings.FOPS_RETENTION_MS_CONFIG,
            TopicSettings.DLQ_RETENTION_MS_CONFIG,
            TopicSettings.INVALIDATIONS_RETENTION_MS_CONFIG));
    return known;
  }

  /** Every option with its doc and default, e.g. for {@code --help} or the README. */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }

  /** The names of Upcall's topics (with the configured prefix). */
  public UpcallTopics topics() {
    return UpcallTopics.withPrefix(getString(TOPIC_PREFIX_CONFIG));
  }

  /** Partitions, replication and retention for ensuring Upcall's topics at start. */
  public TopicSettings topicSettings() {
    try {
      return TopicSettings.fromConfig(originals());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** The switches the application starts with, before any change from the upcall.config topic. */
  public Switches switches() {
    return new Switches(
        Switches.parseOnOff(getString(CACHE_INVALIDATION_CONFIG)),
        getInt(CACHE_INVALIDATION_TIMEOUT_CONFIG),
        getInt(NOTIFY_CONTENTION_DELAY_CONFIG),
        InvalidationFormat.parse(getString(INVALIDATION_FORMAT_CONFIG)));
  }

  /** The commit interval: as set, else 100 ms under exactly-once and 1 s under at-least-once. */
  public Duration commitInterval() {
    boolean set = originals().containsKey(COMMIT_INTERVAL_MS_CONFIG);
    boolean atLeastOnce =
        StreamsConfig.AT_LEAST_ONCE.equals(getString(PROCESSING_GUARANTEE_CONFIG));
    return Duration.ofMillis(
        set || !atLeastOnce
            ? getLong(COMMIT_INTERVAL_MS_CONFIG)
            : COMMIT_INTERVAL_MS_AT_LEAST_ONCE_DEFAULT);
  }

  /** How long and how large batches of invalidations grow. */
  BatchSettings batchSettings() {
    return new BatchSettings(
        Duration.ofMillis(getLong(BATCH_MAX_DELAY_MS_CONFIG)), getInt(BATCH_MAX_BYTES_CONFIG));
  }

  /** The partitions of upcall.invalidations the settings create it with (the app learns the real count). */
  int invalidationsPartitions() {
    return topicSettings().invalidationsPartitions();
  }

  public Duration expiryInterval() {
    return Duration.ofMillis(getLong(EXPIRY_INTERVAL_MS_CONFIG));
  }

  /** How the tasks write progress marks, for a {@code upcall.fops} topic of {@code fopsPartitions}. */
  ProgressMarks progressMarks(int fopsPartitions) {
    return new ProgressMarks(
        Duration.ofMillis(getLong(ProgressMarks.INTERVAL_MS_CONFIG)),
        Duration.ofMillis(getLong(ProgressMarks.BRICK_TIMEOUT_MS_CONFIG)),
        fopsPartitions);
  }

  /** The bound on tracked pairs, shared by {@code tasks} tasks (one per partition of {@code upcall.fops}). */
  TrackingBound trackingBound(int tasks) {
    return TrackingBound.sharedBy(getLong(MAX_TRACKED_PAIRS_CONFIG), tasks);
  }

  /** Where the tasks keep their tracked pairs. */
  TrackedPairsStore trackedPairsStore() {
    return TrackedPairsStore.parse(getString(TRACKED_PAIRS_STORE_CONFIG));
  }

  /** What the topology takes from this configuration, for an {@code upcall.fops} topic of {@code fopsPartitions}. */
  TopologySettings topologySettings(int fopsPartitions) {
    return new TopologySettings(
        topics(),
        switches(),
        expiryInterval(),
        progressMarks(fopsPartitions),
        trackingBound(fopsPartitions),
        trackedPairsStore(),
        batchSettings(),
        invalidationsPartitions(),
        originals(),
        streamsProperties());
  }

  /** The properties for KafkaStreams: the validated options plus every pass-through property. */
  public Properties streamsProperties() {
    Properties props = new Properties();
    originals()
        .forEach(
            (key, value) -> {
              if (!isUpcallOption(key)) {
                props.put(key, value);
              }
            });
    props.put(BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG)));
    props.put(APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
    props.put(PROCESSING_GUARANTEE_CONFIG, getString(PROCESSING_GUARANTEE_CONFIG));
    props.put(COMMIT_INTERVAL_MS_CONFIG, commitInterval().toMillis());
    props.put(NUM_STREAM_THREADS_CONFIG, getInt(NUM_STREAM_THREADS_CONFIG));
    props.put(STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
    props.put(POLL_MS_CONFIG, getLong(POLL_MS_CONFIG));
    props.put(STATESTORE_CACHE_MAX_BYTES_CONFIG, getLong(STATESTORE_CACHE_MAX_BYTES_CONFIG));
    props.put(PRODUCER_LINGER_MS_CONFIG, getInt(PRODUCER_LINGER_MS_CONFIG));
    props.put(PRODUCER_MAX_IN_FLIGHT_CONFIG, getInt(PRODUCER_MAX_IN_FLIGHT_CONFIG));
    props.put(REPLICATION_FACTOR_CONFIG, getInt(REPLICATION_FACTOR_CONFIG));
    // A task reads upcall.fops and the inode repartition: waiting for the input it has nothing
    // buffered from would only delay the other's events, and the order rule (docs/semantics.md)
    // already covers events out of event-time order.
    props.putIfAbsent(
        StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    withQuietDefaults(props);
    return props;
  }

  /** Adds what every Streams configuration of Upcall carries unless set: Kafka 5.0's defaults, about which 4.x warns. */
  @SuppressWarnings(
      "deprecation") // deprecated only because 5.0 makes it the default; until then Streams warns
  // without it
  static Properties withQuietDefaults(Properties props) {
    props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    return props;
  }

  /** True for options of Upcall itself, which Kafka clients would warn about as unknown. */
  private static boolean isUpcallOption(String key) {
    return UPCALL_ONLY.contains(key) || key.startsWith("upcall.");
  }
}
