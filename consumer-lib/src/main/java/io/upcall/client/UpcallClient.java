package io.upcall.client;

import io.upcall.avro.LeaseRecallReply;
import io.upcall.avro.XattrInterest;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one client's {@link MetadataCache} coherent: reads the invalidations addressed to the client uid from
 * {@code upcall.invalidations}, applies them, tells an optional listener, and lets the cache serve only while
 * the progress marks prove that every change older than the staleness bound has been applied.
 *
 * <pre>{@code
 * MetadataCache cache = MetadataCache.builder().build();
 * try (UpcallClient client = UpcallClient.builder()
 *     .bootstrapServers("kafka:9092").uid(mountUid).cache(cache).build()) {
 *   client.awaitReady(Duration.ofSeconds(30));
 *   Optional<Iatt> stat = cache.stat(gfid); // empty: fetch with cache.beginFetch / cache.putStat
 * }
 * }</pre>
 */
public final class UpcallClient implements AutoCloseable {
  /** Default staleness bound: a cached answer is never older than this behind a change. */
  public static final Duration DEFAULT_STALENESS_BOUND = Duration.ofSeconds(2);

  /** Default allowance for brick clocks running ahead of this host's (NTP keeps them within a few ms). */
  public static final Duration DEFAULT_CLOCK_SKEW_ALLOWANCE = Duration.ofMillis(100);

  private static final Logger LOG = LoggerFactory.getLogger(UpcallClient.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final String uid;
  private final MetadataCache cache;
  private final InvalidationReader reader;
  private final XattrInterestPublisher interest;
  private final RecallReplySender replies;
  private final Thread pollThread;
  private final CompletableFuture<Void> ready;
  private XattrPatterns patterns;
  private boolean closed;

  private UpcallClient(Builder builder) {
    this.uid =
        builder.uid != null
            ? builder.uid
            : GlusterClientUid.forThisProcess("upcall-client").format();
    this.cache = builder.cache;
    this.patterns = builder.patterns;

    Map<String, Object> common = new HashMap<>(builder.kafkaProperties);
    if (builder.bootstrapServers != null) {
      common.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
    }
    if (common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
      throw new IllegalArgumentException("bootstrapServers is required");
    }
    Map<String, Object> consumerConfig = consumerConfig(common);
    Map<String, Object> producerConfig = producerConfig(common);

    cache.attach(builder.stalenessBound, builder.clockSkewAllowance);
    KafkaConsumer<String, SpecificRecord> consumer = null;
    KafkaProducer<String, XattrInterest> producer = null;
    KafkaProducer<String, LeaseRecallReply> replyProducer = null;
    try {
      consumer =
          new KafkaConsumer<>(
              consumerConfig,
              new StringDeserializer(),
              builder.valueDeserializer != null
                  ? builder.valueDeserializer
                  : UpcallSerdes.invalidationsTopic().deserializer());
      producer =
          new KafkaProducer<>(
              producerConfig, new StringSerializer(), UpcallSerdes.xattrInterest().serializer());
      if (builder.recallListener != null) {
        replyProducer =
            new KafkaProducer<>(
                producerConfig,
                new StringSerializer(),
                UpcallSerdes.leaseRecallReply().serializer());
      }
    } catch (RuntimeException e) {
      if (consumer != null) {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
      }
      if (producer != null) {
        producer.close(Duration.ZERO);
      }
      cache.detach();
      throw e;
    }
    this.replies =
        replyProducer == null
            ? null
            : new RecallReplySender(replyProducer, builder.topics.replies());
    cache.xattrInterest(patterns);
    this.interest =
        new XattrInterestPublisher(
            producer, builder.topics.xattrInterest(), uid, Clock.systemUTC());
    UpcallEventDispatcher upcallEvents =
        new UpcallEventDispatcher(
            uid,
            builder.recallListener,
            builder.contentionListener,
            replies == null ? null : replies::send,
            Clock.systemUTC());
    this.reader =
        new InvalidationReader(
            uid, builder.topics.invalidations(), cache, builder.listener, upcallEvents, consumer);
    // Ready once the broker holds the registration and the position is fixed and settled.
    this.ready = CompletableFuture.allOf(interest.publish(patterns), reader.positioned());
    this.pollThread = new Thread(reader, "upcall-client-" + Integer.toHexString(uid.hashCode()));
    this.pollThread.setDaemon(true);
    this.pollThread.start();
  }

  /** A builder; {@link Builder#bootstrapServers(String)} and {@link Builder#cache(MetadataCache)} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The client uid this client reads invalidations for (the one bricks record as the fops' originator). */
  public String uid() {
    return uid;
  }

  /** The cache this client keeps coherent. */
  public MetadataCache cache() {
    return cache;
  }

  /**
   * Completes once the xattr registration is stored, the read position is fixed and every streams task has been
   * heard from since: no invalidation for a fop issued after this can be missed, and fills are kept from then on.
   */
  public CompletableFuture<Void> ready() {
    return ready.copy();
  }

  /**
   * Waits for {@link #ready()}.
   *
   * @return whether the client became ready within {@code timeout}
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "upcall client " + uid + " cannot become ready", e.getCause());
    }
  }

  /**
   * Replaces the xattr name patterns (shell globs such as {@code user.*}) this client caches and is told about.
   * Xattrs no longer matched are dropped from the cache at once; newly matched ones are cached only after the
   * registration is acknowledged.
   *
   * @return completes when the broker acknowledged the registration
   */
  public synchronized CompletableFuture<Void> setXattrPatterns(Collection<String> newPatterns) {
    XattrPatterns next = XattrPatterns.of(newPatterns);
    XattrPatterns kept =
        XattrPatterns.of(patterns.globs().stream().filter(next.globs()::contains).toList());
    patterns = next;
    cache.xattrInterest(kept);
    return interest
        .publish(next)
        .thenRun(
            () -> {
              synchronized (this) {
                if (patterns == next) {
                  cache.xattrInterest(next);
                }
              }
            });
  }

  /** A snapshot of the client's and its cache's counters. */
  public ClientMetrics metrics() {
    return reader.metrics();
  }

  /** Stops reading (the cache then serves nothing) and withdraws the xattr registration. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    reader.stop();
    try {
      pollThread.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      interest.withdraw().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "upcall client {}: could not withdraw its xattr registration: {}", uid, e.toString());
    }
    interest.close(CLOSE_TIMEOUT);
    if (replies != null) {
      replies.close();
    }
    cache.detach();
  }

  private Map<String, Object> consumerConfig(Map<String, Object> common) {
    Map<String, Object> config = new HashMap<>();
    config.put(
        ConsumerConfig.CLIENT_ID_CONFIG, "upcall-client-" + Integer.toHexString(uid.hashCode()));
    // A partition count change must be noticed well within a metadata refresh of the streams app's
    // producers.
    config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
    config.putAll(common);
    requireUnsetOr(
        config,
        ConsumerConfig.GROUP_ID_CONFIG,
        null,
        "UpcallClient assigns its partition itself and uses no consumer group");
    requireUnsetOr(
        config,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        "read_committed",
        "invalidations are visible only once the streams app's transaction commits");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Losing the position must surface as an error, never as a silent jump.
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Never create the invalidation topic with broker defaults by asking for it.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    return config;
  }

  private Map<String, Object> producerConfig(Map<String, Object> common) {
    Map<String, Object> config = new HashMap<>();
    config.put(
        ProducerConfig.CLIENT_ID_CONFIG,
        "upcall-client-interest-" + Integer.toHexString(uid.hashCode()));
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.putAll(common);
    config
        .keySet()
        .removeIf(
            key ->
                ConsumerConfig.configNames().contains(key)
                    && !ProducerConfig.configNames().contains(key));
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return config;
  }

  private static void requireUnsetOr(
      Map<String, Object> config, String key, String allowed, String why) {
    Object value = config.get(key);
    if (value != null && !value.toString().equals(allowed)) {
      throw new IllegalArgumentException(
          "Kafka property " + key + "=" + value + " is not allowed: " + why);
    }
  }

  /** Builds and starts an {@link UpcallClient}. */
  public static final class Builder {
    private String bootstrapServers;
    private String uid;
    private MetadataCache cache;
    private InvalidationListener listener;
    private LeaseRecallListener recallListener;
    private LockContentionListener contentionListener;
    private Deserializer<SpecificRecord> valueDeserializer;
    private Duration stalenessBound = DEFAULT_STALENESS_BOUND;
    private Duration clockSkewAllowance = DEFAULT_CLOCK_SKEW_ALLOWANCE;
    private XattrPatterns patterns = XattrPatterns.NONE;
    private UpcallTopics topics = UpcallTopics.defaults();
    private final Map<String, Object> kafkaProperties = new HashMap<>();

    private Builder() {}

    /** The Kafka cluster to read from. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = requireText("bootstrapServers", bootstrapServers);
      return this;
    }

    /** The client uid bricks record for this client's fops; a GlusterFS-style uid is generated when not given. */
    public Builder uid(String uid) {
      this.uid = requireText("uid", uid);
      return this;
    }

    /** The cache to keep coherent (one client per cache). */
    public Builder cache(MetadataCache cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    /** Told of every invalidation for this client after the cache applied it. */
    public Builder listener(InvalidationListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Told of every lease recall for this client; its answer goes back to the brick through {@code upcall.replies}.
     * Without one, recalls are counted and left unanswered, so the brick acts when their deadline passes.
     */
    public Builder leaseRecallListener(LeaseRecallListener listener) {
      this.recallListener = Objects.requireNonNull(listener, "leaseRecallListener");
      return this;
    }

    /** Told of every lock-contention notice for this client (inode and entry locks). */
    public Builder lockContentionListener(LockContentionListener listener) {
      this.contentionListener = Objects.requireNonNull(listener, "lockContentionListener");
      return this;
    }

    /** Test seam: the invalidation topic's value deserializer, e.g. one that knows only older record types. */
    Builder valueDeserializer(Deserializer<SpecificRecord> deserializer) {
      this.valueDeserializer = Objects.requireNonNull(deserializer, "valueDeserializer");
      return this;
    }

    /** How far behind a change a cached answer may be (default 2 s); beyond it the cache serves nothing. */
    public Builder stalenessBound(Duration stalenessBound) {
      Objects.requireNonNull(stalenessBound, "stalenessBound");
      if (stalenessBound.isNegative() || stalenessBound.isZero()) {
        throw new IllegalArgumentException(
            "stalenessBound must be positive, was " + stalenessBound);
      }
      this.stalenessBound = stalenessBound;
      return this;
    }

    /** How far a brick's clock may run ahead of this host's (default 100 ms); charged against the bound. */
    public Builder clockSkewAllowance(Duration clockSkewAllowance) {
      Objects.requireNonNull(clockSkewAllowance, "clockSkewAllowance");
      if (clockSkewAllowance.isNegative()) {
        throw new IllegalArgumentException(
            "clockSkewAllowance must not be negative, was " + clockSkewAllowance);
      }
      this.clockSkewAllowance = clockSkewAllowance;
      return this;
    }

    /** The xattr name patterns (shell globs, e.g. {@code user.*}) this client caches (default none). */
    public Builder xattrPatterns(Collection<String> patterns) {
      this.patterns = XattrPatterns.of(patterns);
      return this;
    }

    /** The topic names (default {@link UpcallTopics#defaults()}). */
    public Builder topics(UpcallTopics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /** A Kafka client property passed through (security, timeouts, ...). */
    public Builder kafkaProperty(String key, Object value) {
      kafkaProperties.put(
          requireText("Kafka property name", key), Objects.requireNonNull(value, key));
      return this;
    }

    /** Kafka client properties passed through (security, timeouts, ...). */
    public Builder kafkaProperties(Map<String, ?> properties) {
      properties.forEach(this::kafkaProperty);
      return this;
    }

    /** Validates the settings, then starts the client (it reads on its own daemon thread). */
    public UpcallClient build() {
      if (cache == null) {
        throw new IllegalArgumentException("cache is required");
      }
      if (clockSkewAllowance.compareTo(stalenessBound) >= 0) {
        throw new IllegalArgumentException(
            "clockSkewAllowance ("
                + clockSkewAllowance
                + ") must be smaller than stalenessBound ("
                + stalenessBound
                + ")");
      }
      return new UpcallClient(this);
    }

    private static String requireText(String name, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }
  }
}
