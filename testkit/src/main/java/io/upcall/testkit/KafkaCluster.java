package io.upcall.testkit;

import io.upcall.schemas.topics.TopicAction;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A real multi-node Kafka cluster (KRaft) on this machine: every node is Apache Kafka's own server
 * ({@code kafka.Kafka}) in a child JVM on the loopback interface, with its own log directory, so a test can crash
 * ({@link #kill}), hang ({@link #pause}/{@link #resume}) and restart any node by id and watch leadership move.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = KafkaCluster.builder().brokers(3).build().start()) {
 *     UpcallTopics topics = UpcallTopics.withPrefix("t.");
 *     cluster.ensureTopics(topics, 4);
 *     int leader = cluster.leaderOf(new TopicPartition(topics.fops(), 0)).orElseThrow();
 *     cluster.kill(leader);
 * }
 * }</pre>
 *
 * <p>The first {@link Builder#controllers} nodes are combined broker and controller nodes (the quorum's voters);
 * the others are brokers only. Internal topics and topics created without a replication factor get
 * {@code min(3, brokers)} replicas and {@code min.insync.replicas = min(2, brokers)}, as a production cluster of
 * three has. Nodes keep their ports and log directories across restarts; {@link #close()} kills every node and
 * deletes the directories.
 */
public final class KafkaCluster implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_LINES = 8;

  private final int brokers;
  private final int controllers;
  private final String heap;
  private final int basePort;
  private final String classpath;
  private final Map<String, String> extraProperties;
  private final Map<Integer, NodeProcess> nodes = new TreeMap<>();

  private Path workDir;
  private String clusterId;
  private ExitHook exitHook;
  private boolean closed;

  private KafkaCluster(Builder builder) {
    this.brokers = builder.brokers;
    this.controllers = builder.controllers > 0 ? builder.controllers : brokers >= 3 ? 3 : 1;
    this.heap = builder.heap;
    this.basePort = builder.basePort;
    this.classpath =
        builder.classpath != null
            ? builder.classpath
            : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    this.extraProperties = Map.copyOf(builder.properties);
  }

  /** Starts configuring a cluster: 3 nodes, all of them controllers, 320 MB of heap each. */
  public static Builder builder() {
    return new Builder();
  }

  /** One node: its fixed ports and directory, and the JVM running it (null while it is down). */
  private static final class NodeProcess {
    final int id;
    final boolean controller;
    final int port;
    final int controllerPort;
    final Path dir;
    Process process;
    boolean paused;

    NodeProcess(int id, boolean controller, int port, int controllerPort, Path dir) {
      this.id = id;
      this.controller = controller;
      this.port = port;
      this.controllerPort = controllerPort;
      this.dir = dir;
    }

    Path config() {
      return dir.resolve("server.properties");
    }

    Path log() {
      return dir.resolve("server.log");
    }

    boolean alive() {
      return process != null && process.isAlive();
    }
  }

  /**
   * Formats every node's log directory, starts every node, and returns when all brokers are registered and
   * unfenced.
   *
   * @return this cluster, for chaining
   * @throws IllegalStateException when a node does not come up (the message names its log file)
   */
  public synchronized KafkaCluster start() {
    if (closed || workDir != null) {
      throw new IllegalStateException("a cluster starts once");
    }
    try {
      workDir = Files.createTempDirectory("upcall-cluster-");
      // A safety net for a JVM that exits without close(): no child broker outlives the JVM.
      exitHook = ExitHook.install("upcall-kafka-cluster-shutdown", this::close);
      clusterId = Uuid.randomUuid().toString();
      for (int id = 1; id <= brokers; id++) {
        boolean controller = id <= controllers;
        int port = basePort == 0 ? FreePorts.next() : basePort + id - 1;
        nodes.put(
            id,
            new NodeProcess(
                id,
                controller,
                port,
                controller ? FreePorts.next() : -1,
                Files.createDirectories(workDir.resolve("node-" + id))));
      }
      for (NodeProcess node : nodes.values()) {
        writeConfig(node);
        format(node);
      }
      for (NodeProcess node : nodes.values()) {
        launch(node);
      }
      awaitBrokers(nodes.keySet(), START_TIMEOUT);
      return this;
    } catch (IOException | RuntimeException e) {
      close();
      throw e instanceof IllegalStateException ise
          ? ise
          : new IllegalStateException("the Kafka cluster failed to start: " + e.getMessage(), e);
    }
  }

  /** Every node's client address, e.g. {@code 127.0.0.1:40123,127.0.0.1:40125,127.0.0.1:40127}. */
  public synchronized String bootstrapServers() {
    if (nodes.isEmpty()) {
      throw new IllegalStateException("the cluster was never started");
    }
    return addresses(node -> true);
  }

  /** The client addresses of the nodes not paused; empty when every node is. */
  private synchronized String answeringServers() {
    return addresses(node -> !node.paused);
  }

  private String addresses(Predicate<NodeProcess> which) {
    return nodes.values().stream()
        .filter(which)
        .map(node -> "127.0.0.1:" + node.port)
        .collect(Collectors.joining(","));
  }

  /** The client address of one node. */
  public synchronized String address(int id) {
    return "127.0.0.1:" + node(id).port;
  }

  /** Minimal client properties ({@code bootstrap.servers}); a fresh mutable map each call. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return props;
  }

  /** The node ids, 1 to the number of brokers. */
  public synchronized List<Integer> nodeIds() {
    return List.copyOf(nodes.keySet());
  }

  /** The ids of the controller quorum's voters. */
  public synchronized List<Integer> controllerIds() {
    return nodes.values().stream().filter(node -> node.controller).map(node -> node.id).toList();
  }

  /** Each node's log directory lives under this directory. */
  public synchronized Path workDir() {
    return workDir;
  }

  /** The file a node's JVM writes its output to. */
  public synchronized Path logFile(int id) {
    return node(id).log();
  }

  /** The process id of a running node's JVM. */
  public synchronized long pid(int id) {
    NodeProcess node = node(id);
    if (!node.alive()) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    return node.process.pid();
  }

  /** Whether a node's JVM is alive (a paused one is). */
  public synchronized boolean isRunning(int id) {
    return node(id).alive();
  }

  /** Whether a node is stopped with {@link #pause} and not yet resumed. */
  public synchronized boolean isPaused(int id) {
    return node(id).paused;
  }

  /** A crash: SIGKILL, nothing flushed, no controlled shutdown; returns once the JVM is gone. */
  public synchronized void kill(int id) {
    NodeProcess node = node(id);
    if (!node.alive()) {
      return;
    }
    node.process.destroyForcibly();
    awaitExit(node);
  }

  /**
   * A clean stop: SIGTERM, on which Kafka moves leadership away (controlled shutdown) and flushes; returns once the
   * JVM is gone (it is killed after 60 s).
   */
  public synchronized void stop(int id) {
    NodeProcess node = node(id);
    if (!node.alive()) {
      return;
    }
    if (node.paused) {
      resume(id);
    }
    node.process.destroy();
    awaitExit(node);
  }

  /**
   * A hang: SIGSTOP freezes every thread of the node's JVM while its sockets stay open, as a long GC pause or a
   * stuck disk does; the controller fences it once its heartbeats stop for the broker session timeout.
   */
  public synchronized void pause(int id) {
    NodeProcess node = node(id);
    if (!node.alive()) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    signal(node, "STOP");
    node.paused = true;
  }

  /** SIGCONT to a node stopped with {@link #pause}: it carries on where it froze. */
  public synchronized void resume(int id) {
    NodeProcess node = node(id);
    if (node.alive() && node.paused) {
      signal(node, "CONT");
    }
    node.paused = false;
  }

  /**
   * Starts a node that was killed or stopped (kills it first if it still runs) on its ports and log directory, and
   * returns once it is registered and unfenced again.
   */
  public synchronized void restart(int id) {
    NodeProcess node = node(id);
    if (node.alive()) {
      if (node.paused) {
        resume(id);
      }
      kill(id);
    }
    launch(node);
    awaitBrokers(Set.of(id), START_TIMEOUT);
  }

  /** The partition's current leader as the cluster's metadata names it; empty while it has none. */
  public Optional<Integer> leaderOf(TopicPartition partition) {
    return partitionInfo(partition)
        .flatMap(info -> Optional.ofNullable(info.leader()))
        .filter(leader -> !leader.isEmpty())
        .map(Node::id);
  }

  /** The partition's in-sync replicas now; empty when the metadata cannot be read. */
  public List<Integer> inSyncReplicas(TopicPartition partition) {
    return partitionInfo(partition)
        .map(info -> info.isr().stream().map(Node::id).sorted().toList())
        .orElse(List.of());
  }

  /** Each partition of {@code topic} with its leader (-1 for none), by partition number. */
  public Map<Integer, Integer> leaders(String topic) {
    try (QuickAdmin quick = admin()) {
      Admin admin = quick.admin();
      TopicDescription description =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic);
      Map<Integer, Integer> leaders = new TreeMap<>();
      for (TopicPartitionInfo info : description.partitions()) {
        leaders.put(
            info.partition(),
            info.leader() == null || info.leader().isEmpty() ? -1 : info.leader().id());
      }
      return leaders;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe " + topic + ": " + e.getMessage(), e);
    }
  }

  /**
   * Partitions of {@code topics} whose in-sync replicas are fewer than their replicas now (all of them when the
   * metadata cannot be read), e.g. to wait until a restarted broker caught up.
   */
  public int underReplicatedPartitions(Collection<String> topics) {
    try (QuickAdmin quick = admin()) {
      int under = 0;
      for (TopicDescription topic :
          quick
              .admin()
              .describeTopics(topics)
              .allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .values()) {
        for (TopicPartitionInfo info : topic.partitions()) {
          if (info.isr().size() < info.replicas().size()) {
            under++;
          }
        }
      }
      return under;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Integer.MAX_VALUE;
    } catch (ExecutionException | TimeoutException e) {
      return Integer.MAX_VALUE;
    }
  }

  /** The id of the active controller (the metadata quorum's leader); empty when no live broker can tell. */
  public Optional<Integer> activeController() {
    try (QuickAdmin quick = admin()) {
      Admin admin = quick.admin();
      return Optional.of(
          admin
              .describeMetadataQuorum()
              .quorumInfo()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .leaderId());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates the Upcall topics with {@code partitions} partitions (the compacted ones have one) and
   * {@code min(3, brokers)} replicas, and waits until every partition's leader serves it.
   *
   * @return what was done to each topic (created, or already there)
   */
  public List<TopicAction> ensureTopics(UpcallTopics topics, int partitions) {
    TopicSettings settings =
        TopicSettings.defaults()
            .withPartitions(partitions)
            .withReplicationFactor(Math.min(3, brokers));
    try (QuickAdmin quick = admin()) {
      Admin admin = quick.admin();
      List<TopicAction> actions = TopicEnsurer.ensure(admin, topics, settings);
      EmbeddedKafkaBroker.awaitTopics(admin, topics.all());
      return actions;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating " + topics, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Waits until the given topics are listed and every partition's leader serves it. */
  public void awaitTopics(Collection<String> topics) {
    try (QuickAdmin quick = admin()) {
      Admin admin = quick.admin();
      EmbeddedKafkaBroker.awaitTopics(admin, topics);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + topics, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Kills every node and deletes the cluster's directory. Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (NodeProcess node : nodes.values()) {
      if (node.alive()) {
        node.process.destroyForcibly();
      }
    }
    for (NodeProcess node : nodes.values()) {
      if (node.process != null) {
        try {
          node.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    WorkDir.delete(workDir, "the cluster");
    if (exitHook != null) {
      exitHook.remove();
    }
  }

  @Override
  public synchronized String toString() {
    return "KafkaCluster["
        + nodes.values().stream()
            .map(
                node ->
                    node.id
                        + (node.controller ? "c" : "")
                        + ":"
                        + node.port
                        + (node.paused ? " paused" : node.alive() ? "" : " down"))
            .collect(Collectors.joining(", "))
        + "]";
  }

  /**
   * An admin client that gives up on a node quickly: a paused node accepts connections but never answers, and an
   * admin client's default close waits for its calls without bound. It bootstraps from the nodes not paused: one
   * that asked a paused node first timed out its metadata call and tried it again, and a describe during a pause
   * failed with "Timed out waiting for a node assignment" (the others list only the nodes not fenced).
   */
  private QuickAdmin admin() {
    Map<String, Object> props = clientProperties();
    String answering = answeringServers();
    if (!answering.isEmpty()) {
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, answering);
    }
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return new QuickAdmin(Admin.create(props));
  }

  /** An admin client whose close waits at most a few seconds for calls still in flight. */
  private record QuickAdmin(Admin admin) implements AutoCloseable {
    @Override
    public void close() {
      admin.close(Duration.ofSeconds(3));
    }
  }

  private NodeProcess node(int id) {
    NodeProcess node = nodes.get(id);
    if (node == null) {
      throw new IllegalArgumentException("no node " + id + " in " + nodes.keySet());
    }
    return node;
  }

  private Optional<TopicPartitionInfo> partitionInfo(TopicPartition partition) {
    try (QuickAdmin quick = admin()) {
      Admin admin = quick.admin();
      TopicDescription description =
          admin
              .describeTopics(List.of(partition.topic()))
              .allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(partition.topic());
      return description.partitions().stream()
          .filter(info -> info.partition() == partition.partition())
          .findFirst();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  private Properties serverProperties(NodeProcess node) {
    Properties props = new Properties();
    props.putAll(EmbeddedKafkaBroker.DEFAULTS);
    String replicas = String.valueOf(Math.min(3, brokers));
    String minIsr = String.valueOf(Math.min(2, brokers));
    props.put("offsets.topic.replication.factor", replicas);
    props.put("transaction.state.log.replication.factor", replicas);
    props.put("transaction.state.log.min.isr", minIsr);
    props.put("share.coordinator.state.topic.replication.factor", replicas);
    props.put("share.coordinator.state.topic.min.isr", minIsr);
    props.put("default.replication.factor", replicas);
    props.put("min.insync.replicas", minIsr);
    // A dead or frozen broker is fenced (and loses its leaderships) once it misses heartbeats for
    // this long; Kafka's 9 s default would make every fault test wait longer for nothing.
    props.put("broker.heartbeat.interval.ms", "1000");
    props.put("broker.session.timeout.ms", "6000");
    props.put("replica.lag.time.max.ms", "10000");
    props.put("num.io.threads", "2");
    props.put("background.threads", "2");
    props.put("node.id", String.valueOf(node.id));
    props.put("process.roles", node.controller ? "broker,controller" : "broker");
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + node.port
            + (node.controller ? ",CONTROLLER://127.0.0.1:" + node.controllerPort : ""));
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.port);
    props.put(
        "controller.quorum.voters",
        nodes.values().stream()
            .filter(n -> n.controller)
            .map(n -> n.id + "@127.0.0.1:" + n.controllerPort)
            .collect(Collectors.joining(",")));
    props.put("log.dirs", node.dir.resolve("data").toString());
    props.putAll(extraProperties);
    return props;
  }

  private void writeConfig(NodeProcess node) throws IOException {
    try (OutputStream out = Files.newOutputStream(node.config())) {
      serverProperties(node).store(out, "node " + node.id + " of an Upcall test cluster");
    }
  }

  /** Writes meta.properties (and, on controllers, the bootstrap metadata) into the node's fresh log directory. */
  private void format(NodeProcess node) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exitCode;
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exitCode =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", node.config().toString()},
              printStream);
    }
    if (exitCode != 0) {
      throw new IllegalStateException(
          "formatting node "
              + node.id
              + " failed (exit "
              + exitCode
              + "): "
              + output.toString(StandardCharsets.UTF_8).strip());
    }
  }

  private void launch(NodeProcess node) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-Xmx" + heap,
                "-Xms64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xss512k",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.controller=error"));
    URL log4j = KafkaCluster.class.getClassLoader().getResource(QuietLogging.LOG4J2_CONFIG);
    if (log4j != null) {
      command.add("-Dlog4j2.configurationFile=" + log4j);
    }
    command.addAll(List.of("-cp", classpath, "kafka.Kafka", node.config().toString()));
    try {
      node.process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log().toFile()))
              .start();
      node.paused = false;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + node.id + ": " + e.getMessage(), e);
    }
  }

  /** Waits until every node in {@code ids} is registered and unfenced (listed by DescribeCluster). */
  private void awaitBrokers(Set<Integer> ids, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int id : ids) {
      NodeProcess node = node(id);
      while (!accepts(node.port)) {
        checkAlive(node, deadline, "open its port");
        sleep(100);
      }
    }
    try (QuickAdmin quick = admin()) {
      Admin admin = quick.admin();
      while (true) {
        for (int id : ids) {
          checkAlive(node(id), deadline, "register with the controller");
        }
        try {
          Set<Integer> registered =
              admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                  .map(Node::id)
                  .collect(Collectors.toSet());
          if (registered.containsAll(ids)) {
            return;
          }
        } catch (ExecutionException | TimeoutException notYet) {
          // no live broker answers yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while nodes " + ids + " started", e);
        }
        sleep(200);
      }
    }
  }

  private void checkAlive(NodeProcess node, long deadline, String step) {
    if (!node.alive()) {
      throw new IllegalStateException(
          "node "
              + node.id
              + " exited before it could "
              + step
              + "; see "
              + node.log()
              + lastLines(node.log()));
    }
    if (System.nanoTime() - deadline > 0) {
      throw new IllegalStateException(
          "node "
              + node.id
              + " did not "
              + step
              + " within "
              + START_TIMEOUT.toSeconds()
              + " s; see "
              + node.log());
    }
  }

  /** The end of a node's log, so the failure reaches the test report even after its directory is deleted. */
  private static String lastLines(Path log) {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> all = lines.filter(line -> !line.isBlank()).toList();
      return all.isEmpty()
          ? ""
          : ", which ends:\n  "
              + String.join(
                  "\n  ", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
    } catch (IOException | UncheckedIOException unreadable) {
      return "";
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static void awaitExit(NodeProcess node) {
    try {
      if (!node.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        node.process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      node.process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    node.paused = false;
  }

  private static void signal(NodeProcess node, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(node.process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException(
            "kill -"
                + signal
                + " "
                + node.process.pid()
                + " failed: "
                + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot send SIG" + signal + " to node " + node.id + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling node " + node.id, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Configures a {@link KafkaCluster}. */
  public static final class Builder {
    private final Map<String, String> properties = new LinkedHashMap<>();
    private int brokers = 3;

    /** 0: three when there are three brokers or more, else one. */
    private int controllers;

    private String heap = "320m";
    private int basePort;
    private String classpath;

    private Builder() {}

    /** How many nodes (brokers) to run; default 3. */
    public Builder brokers(int brokers) {
      if (brokers < 1) {
        throw new IllegalArgumentException("brokers must be at least 1, was " + brokers);
      }
      this.brokers = brokers;
      return this;
    }

    /** How many of the nodes are also controllers (the quorum's voters): 1 or 3, at most the brokers. */
    public Builder controllers(int controllers) {
      if (controllers != 1 && controllers != 3) {
        throw new IllegalArgumentException("controllers must be 1 or 3, was " + controllers);
      }
      this.controllers = controllers;
      return this;
    }

    /** Node i listens for clients on {@code basePort + i - 1}; 0 (the default) picks free ports. */
    public Builder basePort(int basePort) {
      if (basePort < 0 || basePort > 65535) {
        throw new IllegalArgumentException("basePort must be between 0 and 65535, was " + basePort);
      }
      this.basePort = basePort;
      return this;
    }

    /** Each node's maximum heap, e.g. {@code 320m}. */
    public Builder heap(String heap) {
      this.heap = Objects.requireNonNull(heap, "heap");
      return this;
    }

    /** The classpath the nodes run on (must hold {@code kafka_2.13}); default this JVM's. */
    public Builder classpath(String classpath) {
      this.classpath = Objects.requireNonNull(classpath, "classpath");
      return this;
    }

    /** An extra server property for every node; overrides the defaults. */
    public Builder brokerProperty(String key, String value) {
      properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The configured cluster, not yet started. */
    public KafkaCluster build() {
      if (controllers > brokers) {
        throw new IllegalArgumentException(
            controllers + " controllers need at least as many brokers, not " + brokers);
      }
      return new KafkaCluster(this);
    }
  }
}
