package io.upcall.demo;

import io.upcall.testkit.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The chaos demo's faults, injected in turn on its own thread into the demo's three-broker cluster while the traffic
 * flows: kill -9 of the leader of the busiest {@code upcall.fops} partition (then its restart), a broker paused
 * (SIGSTOP) for ten seconds, a rolling restart of every broker, and the streams app restarted while a broker is
 * down. The app runs in the demo's process, so it cannot be killed -9 without the demo: its KafkaStreams instance is
 * closed and a new one started on the same state directory instead. Each fault waits for every client to serve
 * again before the next, and is announced with the cluster's state (leaders, in-sync replicas, the app's state).
 */
final class Chaos implements AutoCloseable {
  private static final Duration PAUSE = Duration.ofSeconds(10);
  private static final Duration DOWN = Duration.ofSeconds(5);
  private static final Duration CALM = Duration.ofSeconds(3);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final long POLL_MS = 250;

  private final KafkaCluster cluster;
  private final InProcessStreams streams;
  private final UnservedWindows windows;
  private final String fopsTopic;
  private final List<String> topics;
  private final Consumer<String> announce;
  private final Admin admin;
  private final List<FaultOutcome> outcomes = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopAfterCurrent;
  private volatile boolean done;
  private boolean closed;
  private volatile String status = "waiting for every client to serve";

  Chaos(
      KafkaCluster cluster,
      InProcessStreams streams,
      UnservedWindows windows,
      String fopsTopic,
      List<String> topics,
      Consumer<String> announce) {
    this.cluster = cluster;
    this.streams = streams;
    this.windows = windows;
    this.fopsTopic = fopsTopic;
    this.topics = List.copyOf(topics);
    this.announce = announce;
    Map<String, Object> props = new HashMap<>(cluster.clientProperties());
    // A paused broker accepts connections and never answers: give up on it quickly.
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 6_000);
    this.admin = Admin.create(props);
    this.thread = new Thread(this::run, "upcall-demo-chaos");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Heals the fault under way and injects no more (the demo's duration passed or it was stopped). */
  void stopAfterCurrent() {
    stopAfterCurrent = true;
  }

  boolean done() {
    return done;
  }

  /** What the chaos is doing now, for the live view. */
  String status() {
    return status;
  }

  /** The faults carried out so far. */
  synchronized List<FaultOutcome> outcomes() {
    return List.copyOf(outcomes);
  }

  /** The four faults, or as many as the run leaves time for. */
  static final int FAULTS = 4;

  private void run() {
    try {
      for (int n = 1; n <= FAULTS && !stopAfterCurrent; n++) {
        if (!awaitCalm()) {
          record(
              new FaultOutcome(
                  "fault " + n + " not started",
                  Duration.ZERO,
                  windows.longestSinceRestart(),
                  "the clients did not all serve within " + WAIT.toSeconds() + " s"));
          break;
        }
        if (stopAfterCurrent) {
          break;
        }
        inject(n);
      }
      status = "done: " + outcomes.size() + " of " + FAULTS + " faults";
    } finally {
      done = true;
    }
  }

  private void inject(int n) {
    windows.restart();
    long start = System.nanoTime();
    String fault = "fault " + n;
    try {
      fault =
          switch (n) {
            case 1 -> killBusiestLeader(n);
            case 2 -> pauseABroker(n);
            case 3 -> rollingRestart(n);
            default -> streamsRestartedWhileABrokerIsDown(n);
          };
      step(n, "healed; waiting for every client to serve again");
      boolean serving = await(this::allServingForCalm, WAIT);
      Duration healed = Duration.ofNanos(System.nanoTime() - start);
      record(
          new FaultOutcome(
              fault,
              healed,
              windows.longestSinceRestart(),
              serving
                  ? null
                  : "the clients did not all serve again within " + WAIT.toSeconds() + " s"));
      announce.accept(
          String.format(
              Locale.ROOT,
              "fault %d over after %.1f s, longest unserved %.1f s; %s",
              n,
              healed.toMillis() / 1000.0,
              windows.longestSinceRestart().toMillis() / 1000.0,
              state()));
    } catch (RuntimeException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      record(
          new FaultOutcome(
              fault,
              Duration.ofNanos(System.nanoTime() - start),
              windows.longestSinceRestart(),
              String.valueOf(e.getMessage())));
      announce.accept("fault " + n + " failed: " + e.getMessage());
      stopAfterCurrent = true;
    }
  }

  private String killBusiestLeader(int n) throws InterruptedException {
    TopicPartition busiest = busiestFopsPartition();
    int leader =
        leaderOf(busiest).orElseThrow(() -> new IllegalStateException(busiest + " has no leader"));
    String fault =
        "kill -9 of node "
            + leader
            + ", leader of "
            + busiest
            + " (the busiest), restarted after "
            + DOWN.toSeconds()
            + " s";
    step(n, "kill -9 node " + leader + " (leader of " + busiest + ", the busiest partition)");
    cluster.kill(leader);
    awaitOrFail(
        () -> leaderOf(busiest).filter(id -> id != leader).isPresent(),
        "a new leader of " + busiest);
    step(
        n,
        "node "
            + leader
            + " killed; new leader of "
            + busiest
            + ": node "
            + leaderOf(busiest).orElse(-1));
    Thread.sleep(DOWN.toMillis());
    step(n, "restarting node " + leader);
    cluster.restart(leader);
    awaitInSync(n);
    return fault;
  }

  private String pauseABroker(int n) throws InterruptedException {
    int hung = busiestLeader();
    String fault =
        "SIGSTOP of node "
            + hung
            + " (leading the most partitions) for "
            + PAUSE.toSeconds()
            + " s, then SIGCONT";
    step(
        n,
        "SIGSTOP node " + hung + " (leading the most partitions) for " + PAUSE.toSeconds() + " s");
    cluster.pause(hung);
    try {
      long until = System.nanoTime() + PAUSE.toNanos();
      while (System.nanoTime() < until) {
        Thread.sleep(Math.min(2_000, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()) + 1));
        step(n, "node " + hung + " frozen");
      }
    } finally {
      cluster.resume(hung);
    }
    step(n, "SIGCONT node " + hung + ": it returns as a zombie that must find itself fenced");
    awaitInSync(n);
    return fault;
  }

  private String rollingRestart(int n) {
    for (int id : cluster.nodeIds()) {
      step(n, "rolling restart: stopping node " + id + " (SIGTERM, controlled shutdown)");
      cluster.stop(id);
      step(n, "rolling restart: starting node " + id);
      cluster.restart(id);
      awaitInSync(n);
    }
    return "rolling restart of nodes "
        + cluster.nodeIds()
        + " (each stopped, started, back in sync)";
  }

  private String streamsRestartedWhileABrokerIsDown(int n) throws InterruptedException {
    int down = leaderOf(busiestFopsPartition()).orElse(cluster.nodeIds().get(0));
    String fault =
        "kill -9 of node "
            + down
            + "; the streams app stopped while it was down (in this process: its "
            + "KafkaStreams instance closed, not kill -9), started again once the node was back in sync";
    step(n, "kill -9 node " + down);
    cluster.kill(down);
    step(
        n,
        "node "
            + down
            + " down; stopping the streams app (its KafkaStreams instance, in this process)");
    streams.stop();
    step(n, "streams app stopped while node " + down + " is down");
    Thread.sleep(DOWN.toMillis());
    step(n, "restarting node " + down);
    cluster.restart(down);
    awaitInSync(n);
    step(n, "starting the streams app again on its state directory");
    streams.restart();
    return fault;
  }

  private void awaitInSync(int n) {
    awaitOrFail(() -> underReplicated() == 0, "every partition back in sync");
    step(n, "every partition in sync");
  }

  private boolean awaitCalm() {
    status = "waiting for every client to serve";
    try {
      return await(() -> stopAfterCurrent || allServingForCalm(), WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private long servingSince;

  /** Every client serving, without a break, for {@link #CALM}. */
  private boolean allServingForCalm() {
    if (!windows.allServing()) {
      servingSince = 0;
      return false;
    }
    long now = System.nanoTime();
    if (servingSince == 0) {
      servingSince = now;
    }
    return now - servingSince >= CALM.toNanos();
  }

  private void awaitOrFail(BooleanSupplier condition, String what) {
    try {
      if (!await(condition, WAIT)) {
        throw new IllegalStateException("not within " + WAIT.toSeconds() + " s: " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    }
  }

  private static boolean await(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(POLL_MS);
    }
    return true;
  }

  private void step(int n, String what) {
    status = "fault " + n + "/" + FAULTS + ": " + what;
    announce.accept(status + "; " + state());
  }

  private synchronized void record(FaultOutcome outcome) {
    outcomes.add(outcome);
  }

  /** The cluster's state in one line: leaders and in-sync replicas of upcall.fops, the nodes, the app. */
  String state() {
    StringBuilder line = new StringBuilder();
    try {
      TopicDescription fops =
          admin
              .describeTopics(List.of(fopsTopic))
              .allTopicNames()
              .get(6, TimeUnit.SECONDS)
              .get(fopsTopic);
      Map<Integer, Long> led =
          fops.partitions().stream()
              .filter(p -> p.leader() != null && !p.leader().isEmpty())
              .collect(
                  Collectors.groupingBy(p -> p.leader().id(), TreeMap::new, Collectors.counting()));
      int minIsr = fops.partitions().stream().mapToInt(p -> p.isr().size()).min().orElse(0);
      long full =
          fops.partitions().stream().filter(p -> p.isr().size() == p.replicas().size()).count();
      line.append("leaders of ")
          .append(fopsTopic)
          .append(' ')
          .append(
              led.entrySet().stream()
                  .map(e -> "node " + e.getKey() + ": " + e.getValue())
                  .collect(Collectors.joining(", ")));
      long leaderless =
          fops.partitions().stream()
              .filter(p -> p.leader() == null || p.leader().isEmpty())
              .count();
      if (leaderless > 0) {
        line.append(", none: ").append(leaderless);
      }
      line.append("; ISR full on ")
          .append(full)
          .append('/')
          .append(fops.partitions().size())
          .append(" (smallest ")
          .append(minIsr)
          .append(')');
    } catch (Exception e) {
      line.append("cluster metadata unavailable (")
          .append(e.getClass().getSimpleName())
          .append(')');
    }
    line.append("; nodes ")
        .append(
            cluster.nodeIds().stream()
                .map(
                    id ->
                        id
                            + (cluster.isPaused(id)
                                ? " paused"
                                : cluster.isRunning(id) ? " up" : " down"))
                .collect(Collectors.joining(", ")));
    line.append("; app ").append(streams.describeState());
    return line.toString();
  }

  private Optional<Integer> leaderOf(TopicPartition partition) {
    try {
      TopicPartitionInfo info =
          admin
              .describeTopics(List.of(partition.topic()))
              .allTopicNames()
              .get(6, TimeUnit.SECONDS)
              .get(partition.topic())
              .partitions()
              .get(partition.partition());
      return info.leader() == null || info.leader().isEmpty()
          ? Optional.empty()
          : Optional.of(info.leader().id());
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private int underReplicated() {
    try {
      return (int)
          admin.describeTopics(topics).allTopicNames().get(6, TimeUnit.SECONDS).values().stream()
              .flatMap(d -> d.partitions().stream())
              .filter(p -> p.isr().size() < p.replicas().size())
              .count();
    } catch (Exception e) {
      return Integer.MAX_VALUE;
    }
  }

  private TopicPartition busiestFopsPartition() {
    try {
      int partitions =
          admin
              .describeTopics(List.of(fopsTopic))
              .allTopicNames()
              .get(6, TimeUnit.SECONDS)
              .get(fopsTopic)
              .partitions()
              .size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(fopsTopic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(6, TimeUnit.SECONDS).entrySet().stream()
          .max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.offset(), b.offset())))
          .orElseThrow()
          .getKey();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot find the busiest partition of " + fopsTopic + ": " + e.getMessage(), e);
    }
  }

  private int busiestLeader() {
    try {
      Map<Integer, Long> led =
          admin.describeTopics(topics).allTopicNames().get(6, TimeUnit.SECONDS).values().stream()
              .flatMap(d -> d.partitions().stream())
              .filter(p -> p.leader() != null && !p.leader().isEmpty())
              .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
      return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot find the broker leading the most partitions: " + e.getMessage(), e);
    }
  }

  /** Stops injecting, waits for the fault under way to heal, and closes the admin client. */
  @Override
  public void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    stopAfterCurrent = true;
    thread.join(TimeUnit.MINUTES.toMillis(5));
    admin.close(Duration.ofSeconds(3));
  }
}
