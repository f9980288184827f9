package io.upcall.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
 *     broker.createTopics(4, "upcall.fops");
 *     Producer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()), ...);
 * }
 * }</pre>
 *
 * <p>Listeners bind to 127.0.0.1 on free ports chosen at the first {@link #start()}; {@link #stop()} keeps the
 * log directory and the ports so that {@link #restart()} brings back the same broker with its data, which is how a
 * test simulates a broker outage. {@link #close()} also deletes the log directory unless it was supplied by the
 * caller. The internal topics are configured for one node (replication factor 1, min ISR 1), so transactions and
 * exactly-once processing work.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  /**
   * Broker settings applied before the caller's extra properties. Auto topic creation stays on (Kafka's default):
   * Upcall's own topics are always created by {@code TopicEnsurer} with explicit configs, and ad-hoc topics in
   * tests or console tools should just work. Pass {@code auto.create.topics.enable=false} to turn it off.
   */
  static final Map<String, String> DEFAULTS = defaults();

  private static final int NODE_ID = 1;
  private static final String META_PROPERTIES = "meta.properties";
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final String SCRAM_MECHANISM = "SCRAM-SHA-256";
  private static final int SCRAM_ITERATIONS = 4096;

  /** A SCRAM login; the password never appears in toString. */
  private record ScramUser(String name, String password) {
    @Override
    public String toString() {
      return "ScramUser[" + name + "]";
    }
  }

  static {
    QuietLogging.install();
  }

  private final Map<String, String> extraProperties;
  private final Path suppliedLogDir;
  private final int requestedPort;

  /** The SCRAM super user, or null for a PLAINTEXT broker. */
  private final ScramUser scramAdmin;

  private Path workDir;
  private Path logDir;
  private int port;
  private int controllerPort;
  private String clusterId;
  private KafkaRaftServer server;
  private ExitHook exitHook;
  private boolean closed;

  private EmbeddedKafkaBroker(Builder builder) {
    this.extraProperties = Map.copyOf(builder.properties);
    this.suppliedLogDir = builder.logDir;
    this.requestedPort = builder.port;
    this.scramAdmin = builder.scramAdmin;
  }

  /** A broker with default settings: free ports, a temporary log directory. Call {@link #start()} next. */
  public EmbeddedKafkaBroker() {
    this(new Builder());
  }

  /** Starts configuring a broker. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the log directory (first start only) and starts the broker; returns when it accepts requests.
   *
   * @return this broker, for chaining
   * @throws IllegalStateException when already running or closed, or when the broker fails to start
   */
  public synchronized EmbeddedKafkaBroker start() {
    if (closed) {
      throw new IllegalStateException("broker is closed");
    }
    if (server != null) {
      throw new IllegalStateException("broker is already running at " + bootstrapServers());
    }
    boolean firstStart = logDir == null;
    try {
      if (firstStart) {
        prepareFirstStart();
      }
      Properties props = serverProperties();
      KafkaRaftServer starting =
          new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server = starting;
      starting.startup();
      return this;
    } catch (RuntimeException | IOException e) {
      stopServerQuietly();
      if (firstStart) {
        // The caller never gets this instance to close: remove the fresh directory now.
        close();
      }
      throw new IllegalStateException("embedded Kafka broker failed to start: " + reason(e), e);
    }
  }

  /** Kafka wraps the useful message (e.g. which address failed to bind) a few causes deep. */
  private static String reason(Throwable failure) {
    Throwable reason = failure;
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof KafkaException && t.getMessage() != null) {
        reason = t;
      }
    }
    return reason.getMessage();
  }

  /** Stops the broker but keeps its log directory and ports, so {@link #restart()} brings back its data. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    KafkaRaftServer stopping = server;
    server = null;
    stopping.shutdown();
    stopping.awaitShutdown();
  }

  /** Stops (when running) and starts the broker again on the same ports and log directory. */
  public synchronized EmbeddedKafkaBroker restart() {
    stop();
    return start();
  }

  /** Stops the broker and deletes its log directory (unless the caller supplied it). Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      WorkDir.delete(workDir, "the broker");
      if (exitHook != null) {
        exitHook.remove();
      }
    }
  }

  /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}. */
  public synchronized String bootstrapServers() {
    if (port == 0) {
      throw new IllegalStateException("broker was never started");
    }
    return "127.0.0.1:" + port;
  }

  /** The port clients connect to (PLAINTEXT, or SASL_PLAINTEXT with {@link Builder#saslScram}); stable across {@link #restart()}. */
  public synchronized int port() {
    bootstrapServers();
    return port;
  }

  /** The broker's log directory (data and metadata log). */
  public synchronized Path logDir() {
    if (logDir == null) {
      throw new IllegalStateException("broker was never started");
    }
    return logDir;
  }

  /** The KRaft cluster id the log directory was formatted with. */
  public synchronized String clusterId() {
    logDir();
    return clusterId;
  }

  /** Whether the broker is running now. */
  public synchronized boolean isRunning() {
    return server != null;
  }

  /**
   * Minimal client properties for {@link Admin#create(Map)}; copy and add to them for producers and consumers. On a
   * SASL/SCRAM broker they authenticate as the super user given to {@link Builder#saslScram}.
   */
  public Map<String, Object> adminProperties() {
    if (scramAdmin == null) {
      return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }
    Map<String, Object> props =
        new HashMap<>(scramClientProperties(scramAdmin.name(), scramAdmin.password()));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Map.copyOf(props);
  }

  /**
   * The client properties that authenticate as {@code user} with SCRAM-SHA-256 over SASL_PLAINTEXT (no
   * {@code bootstrap.servers}): {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config}.
   */
  public static Map<String, Object> scramClientProperties(String user, String password) {
    return Map.of(
        CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
        "SASL_PLAINTEXT",
        SaslConfigs.SASL_MECHANISM,
        SCRAM_MECHANISM,
        SaslConfigs.SASL_JAAS_CONFIG,
        jaasConfig(user, password));
  }

  /**
   * Creates (or changes the password of) a SCRAM-SHA-256 user and waits until the broker knows it, so a client can
   * log in as it at once. Only on a broker built with {@link Builder#saslScram}.
   */
  public void upsertScramUser(String user, String password) {
    if (scramAdmin == null) {
      throw new IllegalStateException(
          "this broker does not use SASL/SCRAM: build it with saslScram(...)");
    }
    try (Admin admin = Admin.create(adminProperties())) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user,
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, SCRAM_ITERATIONS),
                      password)))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
      awaitCondition(
          deadline,
          "SCRAM user " + user + " not known to the broker",
          () ->
              admin
                  .describeUserScramCredentials(List.of(user))
                  .all()
                  .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                  .containsKey(user));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating SCRAM user " + user, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("creating SCRAM user " + user + " failed: " + cause, cause);
    }
  }

  private static String jaasConfig(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /** Creates topics with the given partition count and replication factor 1; fails if one exists. */
  public void createTopics(int partitions, String... topics) {
    List<NewTopic> newTopics = new ArrayList<>();
    for (String topic : topics) {
      newTopics.add(new NewTopic(topic, partitions, (short) 1));
    }
    createTopics(newTopics);
  }

  /** Creates the given topics and waits until every partition's leader accepts writes. */
  public void createTopics(Collection<NewTopic> topics) {
    try (Admin admin = Admin.create(adminProperties())) {
      admin.createTopics(topics).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      awaitTopics(admin, topics.stream().map(NewTopic::name).toList());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "creating topics " + names(topics) + " failed: " + cause, cause);
    }
  }

  /**
   * Waits until {@code topics} (e.g. just created with {@code TopicEnsurer}) are listed and every partition's leader
   * accepts writes.
   *
   * @throws IllegalStateException when they do not show up within 30 s
   */
  public void awaitTopics(Collection<String> topics) {
    try (Admin admin = Admin.create(adminProperties())) {
      awaitTopics(admin, topics);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for topics " + topics, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Waits until {@code topics} are ready for writes: listed, every partition with a leader, and every leader
   * answering for its partition. The controller acknowledges a creation before the broker has applied it, and the
   * broker publishes the new leaders in its metadata a moment before its replica manager takes leadership; in that
   * window a produce is refused as "not leader", and an idempotent producer whose first batch is refused while a
   * later one is accepted waits out its delivery timeout. A ListOffsets request is served by the replica manager
   * under the same leadership check as a produce, so its success closes that window.
   */
  static void awaitTopics(Admin admin, Collection<String> topics)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    awaitCondition(
        deadline,
        "topics " + topics + " not visible on the broker",
        () ->
            admin
                .listTopics()
                .names()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                .containsAll(topics));
    Map<TopicPartition, OffsetSpec> partitions = new LinkedHashMap<>();
    awaitCondition(
        deadline,
        "partitions of " + topics + " without a leader",
        () -> {
          partitions.clear();
          for (TopicDescription topic :
              admin
                  .describeTopics(topics)
                  .allTopicNames()
                  .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                  .values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
              if (partition.leader() == null || partition.leader().isEmpty()) {
                return false;
              }
              partitions.put(
                  new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
            }
          }
          return true;
        });
    // The admin client retries "not leader" answers by itself until the leaders serve or the
    // deadline passes.
    awaitCondition(
        deadline,
        "leaders of " + topics + " not serving their partitions",
        () -> {
          admin.listOffsets(partitions).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
          return true;
        });
  }

  /** A check that asks the broker; a failed request counts as "not yet". */
  @FunctionalInterface
  private interface BrokerCondition {
    boolean holds() throws ExecutionException, TimeoutException, InterruptedException;
  }

  /** Polls {@code condition} with a short, growing back-off until it holds or {@code deadline} passes. */
  private static void awaitCondition(long deadline, String failure, BrokerCondition condition)
      throws InterruptedException, TimeoutException {
    long backoffMs = 5;
    Exception last = null;
    while (true) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (ExecutionException | TimeoutException retriable) {
        last = retriable;
      }
      if (System.nanoTime() - deadline > 0) {
        TimeoutException timeout =
            new TimeoutException(
                failure
                    + " after "
                    + ADMIN_TIMEOUT
                    + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
        timeout.initCause(last);
        throw timeout;
      }
      TimeUnit.MILLISECONDS.sleep(Math.min(backoffMs, Math.max(1, remainingMs(deadline))));
      backoffMs = Math.min(100, backoffMs * 2);
    }
  }

  private static long remainingMs(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  @Override
  public String toString() {
    return "EmbeddedKafkaBroker["
        + (port == 0 ? "not started" : bootstrapServers())
        + (isRunning() ? ", running" : closed ? ", closed" : ", stopped")
        + "]";
  }

  private void prepareFirstStart() throws IOException {
    if (suppliedLogDir != null) {
      logDir = Files.createDirectories(suppliedLogDir.toAbsolutePath());
    } else {
      workDir = Files.createTempDirectory("upcall-kafka-");
      logDir = Files.createDirectory(workDir.resolve("log"));
    }
    // A safety net for a JVM that exits without close(): stops the broker and removes its
    // directory.
    exitHook = ExitHook.install("upcall-embedded-kafka-shutdown", this::close);
    port = requestedPort != 0 ? requestedPort : FreePorts.next();
    controllerPort = FreePorts.next();
    if (Files.exists(logDir.resolve(META_PROPERTIES))) {
      clusterId = formattedClusterId();
    } else {
      clusterId = Uuid.randomUuid().toString();
      format(serverProperties());
    }
  }

  private Properties serverProperties() {
    Properties props = new Properties();
    props.putAll(DEFAULTS);
    props.put("node.id", String.valueOf(NODE_ID));
    props.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    if (scramAdmin != null) {
      secure(props);
    }
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    props.put("log.dirs", logDir.toString());
    props.putAll(extraProperties);
    return props;
  }

  /**
   * Clients authenticate with SCRAM-SHA-256 on a SASL_PLAINTEXT listener and are authorized by ACLs (KRaft's
   * StandardAuthorizer; no ACL means denied). The broker reaches itself on the same listener as the super user;
   * the controller listener stays PLAINTEXT on 127.0.0.1 (SCRAM credentials live in the metadata log the
   * controller serves, so it cannot authenticate with them), and its ANONYMOUS principal is a super user so the
   * broker can register and forward requests.
   */
  private void secure(Properties props) {
    props.put(
        "listeners",
        "SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
    props.put(
        "listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
    props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
    props.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
    props.put(
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
        jaasConfig(scramAdmin.name(), scramAdmin.password()));
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", "User:" + scramAdmin.name() + ";User:ANONYMOUS");
    props.put("allow.everyone.if.no.acl.found", "false");
  }

  /** Writes meta.properties and the bootstrap metadata checkpoint into the fresh log directory. */
  private void format(Properties props) throws IOException {
    Path config = Files.createTempFile("upcall-kafka-format-", ".properties");
    try {
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "embedded Kafka broker (format only)");
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int exitCode;
      try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        List<String> args =
            new ArrayList<>(List.of("format", "-t", clusterId, "-c", config.toString()));
        if (scramAdmin != null) {
          // The broker logs in to itself as the super user before any client could create it.
          args.addAll(
              List.of(
                  "--add-scram",
                  SCRAM_MECHANISM
                      + "=[name="
                      + scramAdmin.name()
                      + ",password="
                      + scramAdmin.password()
                      + "]"));
        }
        exitCode = StorageTool.execute(args.toArray(String[]::new), printStream);
      }
      if (exitCode != 0) {
        throw new IllegalStateException(
            "formatting "
                + logDir
                + " failed (exit "
                + exitCode
                + "): "
                + output.toString(StandardCharsets.UTF_8).strip());
      }
    } finally {
      Files.deleteIfExists(config);
    }
  }

  /** A reused directory keeps the cluster id it was first formatted with. */
  private String formattedClusterId() throws IOException {
    Properties meta = new Properties();
    try (var in = Files.newInputStream(logDir.resolve(META_PROPERTIES))) {
      meta.load(in);
    }
    return meta.getProperty("cluster.id", clusterId);
  }

  private void stopServerQuietly() {
    try {
      stop();
    } catch (RuntimeException suppressed) {
      server = null;
    }
  }

  private static String names(Collection<NewTopic> topics) {
    return Arrays.toString(topics.stream().map(NewTopic::name).toArray());
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("process.roles", "broker,controller");
    d.put("controller.listener.names", "CONTROLLER");
    d.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    d.put("inter.broker.listener.name", "PLAINTEXT");
    // One node: every internal topic must fit on it, or transactions and share groups hang.
    d.put("offsets.topic.replication.factor", "1");
    d.put("offsets.topic.num.partitions", "5");
    d.put("transaction.state.log.replication.factor", "1");
    d.put("transaction.state.log.min.isr", "1");
    d.put("transaction.state.log.num.partitions", "5");
    d.put("share.coordinator.state.topic.replication.factor", "1");
    d.put("share.coordinator.state.topic.min.isr", "1");
    d.put("share.coordinator.state.topic.num.partitions", "5");
    d.put("default.replication.factor", "1");
    d.put("min.insync.replicas", "1");
    d.put("num.partitions", "1");
    d.put("group.initial.rebalance.delay.ms", "0");
    // Long load runs must not fill the disk: small segments and a per-partition size cap on every
    // topic that does not set its own retention.
    d.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
    d.put("log.retention.bytes", String.valueOf(256L * 1024 * 1024));
    d.put("log.retention.ms", String.valueOf(Duration.ofHours(6).toMillis()));
    d.put("log.retention.check.interval.ms", "30000");
    // Small footprint on a shared 2-core box; the cleaner's dedupe buffer is 128 MiB by default.
    d.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    d.put("num.network.threads", "2");
    d.put("num.io.threads", "4");
    d.put("num.recovery.threads.per.data.dir", "1");
    d.put("background.threads", "4");
    return Map.copyOf(d);
  }

  /** Configures an {@link EmbeddedKafkaBroker}. */
  public static final class Builder {
    private final Map<String, String> properties = new LinkedHashMap<>();
    private Path logDir;
    private int port;
    private ScramUser scramAdmin;

    private Builder() {}

    /** The client port to listen on; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * A log directory the caller owns: it is created when missing, reused when already formatted, and kept on
     * {@link EmbeddedKafkaBroker#close()}. By default a temporary directory is used and deleted.
     */
    public Builder logDir(Path logDir) {
      this.logDir = Objects.requireNonNull(logDir, "logDir");
      return this;
    }

    /** An extra broker property (e.g. {@code log.retention.ms}); overrides the embedded defaults. */
    public Builder brokerProperty(String key, String value) {
      properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Extra broker properties; override the embedded defaults. */
    public Builder brokerProperties(Map<String, String> properties) {
      properties.forEach(this::brokerProperty);
      return this;
    }

    /**
     * Clients must authenticate with SCRAM-SHA-256 on a SASL_PLAINTEXT listener, and ACLs decide what each
     * principal may do (StandardAuthorizer; nothing is allowed without an ACL). {@code adminUser} is a super user,
     * created when the log directory is formatted; {@link #adminProperties()} logs in as it. Create other users
     * with {@link #upsertScramUser} and grant them ACLs with {@link Admin#createAcls}.
     */
    public Builder saslScram(String adminUser, String adminPassword) {
      if (adminUser == null
          || adminUser.isBlank()
          || adminPassword == null
          || adminPassword.isEmpty()) {
        throw new IllegalArgumentException("saslScram needs a non-blank admin user and a password");
      }
      this.scramAdmin = new ScramUser(adminUser, adminPassword);
      return this;
    }

    /** The configured broker, not yet started. */
    public EmbeddedKafkaBroker build() {
      return new EmbeddedKafkaBroker(this);
    }
  }
}
