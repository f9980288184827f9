package io.upcall.demo;

import io.upcall.producers.BrickPublisher;
import io.upcall.producers.load.LoadSpec;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.streams.ops.HttpSettings;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.KafkaCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The whole product in one process, for people to watch: a Kafka broker (embedded unless an existing cluster is
 * given), the Upcall topics, the streams app, a load generator playing several bricks, and clients with metadata
 * caches reading and writing a shared tree whose truth the demo keeps. Every answer a cache gives is checked
 * against that truth; a live view shows fops/s, invalidations/s, fop→cache latency, hit ratio and stale reads.
 *
 * <pre>{@code
 * DemoSummary summary = new Demo(DemoSettings.builder().duration(Duration.ofSeconds(30)).build(), out, false).run();
 * }</pre>
 */
public final class Demo {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration FRAME = Duration.ofSeconds(1);
  private static final long TICK_MS = 100;
  private static final long PRUNE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int TREE_BRICKS = 2;
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(250);
  private static final String LOOPBACK = "127.0.0.1";
  private static final Duration CALM_AFTER_CHAOS = Duration.ofSeconds(5);

  private final DemoSettings settings;
  private final PrintWriter out;
  private final boolean terminal;
  private final boolean clientsDropOwnChanges;
  private final LongSupplier wallClockMs = System::currentTimeMillis;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private volatile Path stateDir;

  /**
   * A demo that prints its progress and live view to {@code out}: a block redrawn in place when {@code terminal},
   * else one line per second.
   */
  public Demo(DemoSettings settings, PrintWriter out, boolean terminal) {
    this(settings, out, terminal, true);
  }

  /** With {@code clientsDropOwnChanges} false the clients keep what they cached of what they changed: a bug. */
  Demo(DemoSettings settings, PrintWriter out, boolean terminal, boolean clientsDropOwnChanges) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.out = Objects.requireNonNull(out, "out");
    this.terminal = terminal;
    this.clientsDropOwnChanges = clientsDropOwnChanges;
  }

  /** Ends a {@link #run()} in progress (e.g. on Ctrl-C): it stops the traffic, shuts down and returns its summary. */
  public void stop() {
    stopRequested.countDown();
  }

  /**
   * Starts everything, runs until the duration passes or {@link #stop()}, shuts everything down (no thread or
   * directory of its own is left behind) and returns what it saw.
   *
   * @throws IllegalStateException when a part cannot start (the cluster refuses, clients never become ready)
   */
  public DemoSummary run() throws InterruptedException {
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      return runWith(started);
    } finally {
      closeAll(started);
    }
  }

  /** The streams app's state directory while it runs (deleted afterwards); null when none runs here. */
  Path stateDir() {
    return stateDir;
  }

  private DemoSummary runWith(Deque<AutoCloseable> started) throws InterruptedException {
    String bootstrapServers = settings.bootstrapServers();
    String where;
    KafkaCluster cluster = null;
    if (bootstrapServers == null && settings.brokers() > 1) {
      say("starting a Kafka cluster of " + settings.brokers() + " brokers (KRaft, child JVMs)...");
      cluster = KafkaCluster.builder().brokers(settings.brokers()).build().start();
      started.push(cluster);
      bootstrapServers = cluster.bootstrapServers();
      where =
          "cluster of "
              + settings.brokers()
              + " brokers "
              + bootstrapServers
              + " (replication factor "
              + Math.min(3, settings.brokers())
              + ", min ISR "
              + Math.min(2, settings.brokers())
              + ")";
    } else if (bootstrapServers == null) {
      say("starting an embedded Kafka broker (KRaft, one node)...");
      EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
      started.push(broker);
      bootstrapServers = broker.bootstrapServers();
      where = "embedded broker " + bootstrapServers;
    } else {
      where = "cluster " + bootstrapServers;
    }
    ensureTopics(bootstrapServers);

    InProcessStreams streams = null;
    if (settings.startStreams()) {
      say(
          "starting the streams app ("
              + settings.processingGuarantee()
              + ", commits every "
              + settings.commitInterval().toMillis()
              + " ms)...");
      streams = startStreams(bootstrapServers, started);
    }
    String setup =
        streams == null
            ? where + ", streams app running elsewhere"
            : settings.processingGuarantee()
                + " (commit "
                + settings.commitInterval().toMillis()
                + " ms), "
                + where
                + ", streams app in this process";

    LatencyProbe probe = new LatencyProbe();
    EventClock treeClock = new EventClock(wallClockMs);
    List<BrickPublisher> treeBricks = new ArrayList<>();
    for (int i = 1; i <= TREE_BRICKS; i++) {
      treeBricks.add(
          publisher(
              bootstrapServers,
              "demo" + i + ":/bricks/" + TruthTree.VOLUME + "/brick" + i,
              treeClock));
    }
    TruthTree tree =
        new TruthTree(
            treeClock,
            treeBricks,
            probe,
            settings.stalenessBound(),
            settings.directories(),
            settings.files(),
            settings.seed());
    started.push(tree);

    say(
        "starting "
            + settings.clients()
            + " clients with metadata caches (staleness bound "
            + settings.stalenessBound().toMillis()
            + " ms)...");
    List<DemoClient> clients = new ArrayList<>();
    for (int i = 1; i <= settings.clients(); i++) {
      DemoClient client =
          new DemoClient(
              "client-" + i,
              clientUid(i),
              bootstrapServers,
              Map.of(),
              tree,
              probe,
              settings.stalenessBound(),
              settings.clientOpsPerSecond(),
              settings.files(),
              settings.seed() * 31 + i,
              wallClockMs,
              clientsDropOwnChanges);
      clients.add(client);
      started.push(client);
    }
    awaitReady(clients, tree);
    for (DemoClient client : clients) {
      say(client.name() + " is " + client.uid());
    }
    if (streams != null) {
      streams
          .operatorEndpoint()
          .ifPresent(
              uri ->
                  say(
                      "operator endpoint "
                          + uri
                          + ", console "
                          + uri
                          + "/ (while it "
                          + "runs: ./upcall stats --server "
                          + uri
                          + ", ./upcall inspect client UID --server "
                          + uri
                          + ")"));
    }

    UnservedWindows windows = new UnservedWindows(clients);
    LiveView view =
        new LiveView(
            out,
            terminal,
            streams == null ? "streams app elsewhere" : settings.processingGuarantee(),
            settings.stalenessBound());
    Chaos chaos = null;
    if (settings.chaos()) {
      chaos =
          new Chaos(
              Objects.requireNonNull(cluster, "chaos needs the demo's own cluster"),
              streams,
              windows,
              UpcallTopics.defaults().fops(),
              UpcallTopics.defaults().all(),
              view::announce);
      started.push(chaos);
    }

    BackgroundLoad load = null;
    if (settings.loadFopsPerSecond() > 0) {
      String bootstrap = bootstrapServers;
      EventClock loadClock = new EventClock(wallClockMs);
      LoadSpec spec =
          LoadSpec.builder()
              .volume("vol0")
              .bricks(3)
              .replicas(1)
              .clients(50)
              .directories(20)
              .files(1_000)
              .seed(settings.seed())
              .build();
      load =
          new BackgroundLoad(
              spec,
              settings.loadFopsPerSecond(),
              loadClock,
              brick -> publisher(bootstrap, brick, loadClock));
      started.push(load);
    }

    say(
        "running"
            + (settings.duration() == null
                ? " until Ctrl-C"
                : " for " + settings.duration().toSeconds() + " s")
            + ": "
            + settings.clients()
            + " clients x "
            + (long) settings.clientOpsPerSecond()
            + " ops/s on a tree of "
            + settings.files()
            + " files"
            + (load == null
                ? ""
                : ", load "
                    + (long) settings.loadFopsPerSecond()
                    + " fops/s from "
                    + load.brickCount()
                    + " bricks"));
    clients.forEach(DemoClient::start);
    if (load != null) {
      load.start();
    }
    if (chaos != null) {
      say(
          "chaos: "
              + Chaos.FAULTS
              + " faults in turn, each once every client serves again: kill -9 of the busiest "
              + "partition's leader, a broker paused "
              + "10 s, a rolling restart, the streams app restarted while a "
              + "broker is down");
      chaos.start();
    }
    long startNanos = System.nanoTime();
    String failure = watch(view, tree, clients, load, probe, streams, windows, chaos, startNanos);
    long elapsedNanos = System.nanoTime() - startNanos;

    for (DemoClient client : clients) {
      client.stop();
    }
    if (load != null) {
      load.close();
    }
    if (chaos != null) {
      chaos.close(); // heals the fault under way, if the run was cut short
    }
    return summary(
        setup, Duration.ofNanos(elapsedNanos), tree, clients, load, probe, failure, chaos, windows);
  }

  /** The live view until the duration passes, {@link #stop()} is called or the streams app fails. */
  private String watch(
      LiveView view,
      TruthTree tree,
      List<DemoClient> clients,
      BackgroundLoad load,
      LatencyProbe probe,
      InProcessStreams streams,
      UnservedWindows windows,
      Chaos chaos,
      long startNanos)
      throws InterruptedException {
    long chaosDoneNanos = 0;
    long deadline =
        settings.duration() == null ? Long.MAX_VALUE : startNanos + settings.duration().toNanos();
    long nextFrame = startNanos + FRAME.toNanos();
    long nextPrune = startNanos + PRUNE_EVERY_NANOS;
    Totals last = Totals.of(tree, clients, load);
    long lastNanos = startNanos;
    while (true) {
      long now = System.nanoTime();
      if (chaos != null) {
        // With chaos the run lasts until every fault is over (and a calm spell after the last), or
        // until the duration passes, when the fault under way is healed before it ends.
        view.chaosStatus(chaos.status());
        if (chaos.done() && chaosDoneNanos == 0) {
          chaosDoneNanos = now;
        }
        if (now - deadline >= 0) {
          chaos.stopAfterCurrent();
        }
        boolean calmAfterChaos =
            chaosDoneNanos != 0 && now - chaosDoneNanos >= CALM_AFTER_CHAOS.toNanos();
        if (chaos.done()
            && (now - deadline >= 0 || (settings.duration() == null && calmAfterChaos))) {
          return null;
        }
      } else if (now - deadline >= 0) {
        return null;
      }
      long waitMs =
          Math.min(TICK_MS, TimeUnit.NANOSECONDS.toMillis(Math.min(nextFrame, deadline) - now) + 1);
      if (stopRequested.await(Math.max(1, waitMs), TimeUnit.MILLISECONDS)) {
        return null;
      }
      tree.tick();
      now = System.nanoTime();
      windows.sample(now);
      if (streams != null && streams.failed().isPresent()) {
        return "the streams app stopped (" + streams.failed().get() + ")";
      }
      if (now - nextPrune >= 0) {
        tree.prune();
        nextPrune += PRUNE_EVERY_NANOS;
      }
      if (now - nextFrame >= 0) {
        Totals current = Totals.of(tree, clients, load);
        view.show(
            current.frame(
                last,
                (now - lastNanos) / 1e9,
                (now - startNanos) / 1e9,
                settings.duration(),
                probe.nextInterval()));
        last = current;
        lastNanos = now;
        nextFrame = now + FRAME.toNanos();
      }
    }
  }

  /** Counters summed over the clients and bricks at one moment. */
  private record Totals(
      long demoFops,
      long loadFops,
      long invalidations,
      long lookups,
      long hits,
      long checkedStale,
      long withinBound,
      long failures,
      Duration worstFreshAge,
      long unfresh,
      List<String> staleSamples) {

    static Totals of(TruthTree tree, List<DemoClient> clients, BackgroundLoad load) {
      long invalidations = 0;
      long lookups = 0;
      long hits = 0;
      long stale = 0;
      long withinBound = 0;
      long unfresh = 0;
      boolean someUnproven = false;
      Duration worst = Duration.ZERO;
      List<String> samples = new ArrayList<>();
      for (DemoClient client : clients) {
        DemoClient.ClientCounts counts = client.counts();
        invalidations += counts.invalidationsApplied();
        lookups += counts.lookups();
        hits += counts.hits();
        stale += counts.stale();
        withinBound += counts.withinBound();
        unfresh += counts.unfreshMisses();
        samples.addAll(counts.staleSamples());
        if (counts.freshAsOfAge() == null) {
          someUnproven = true;
        } else if (counts.freshAsOfAge().compareTo(worst) > 0) {
          worst = counts.freshAsOfAge();
        }
      }
      long failures = tree.failed() + (load == null ? 0 : load.failed());
      return new Totals(
          tree.published(),
          load == null ? 0 : load.published(),
          invalidations,
          lookups,
          hits,
          stale,
          withinBound,
          failures,
          someUnproven ? null : worst,
          unfresh,
          samples);
    }

    LiveView.Frame frame(
        Totals before, double seconds, double elapsed, Duration duration, Histogram latency) {
      double perSecond = Math.max(seconds, 1e-3);
      return new LiveView.Frame(
          elapsed,
          duration,
          (demoFops + loadFops - before.demoFops - before.loadFops) / perSecond,
          (demoFops - before.demoFops) / perSecond,
          (loadFops - before.loadFops) / perSecond,
          (invalidations - before.invalidations) / perSecond,
          invalidations,
          micros(latency.getValueAtPercentile(50)),
          micros(latency.getValueAtPercentile(99)),
          latency.getTotalCount(),
          lookups == 0 ? 0 : (double) hits / lookups,
          worstFreshAge,
          hits,
          withinBound,
          checkedStale,
          failures);
    }
  }

  private DemoSummary summary(
      String setup,
      Duration elapsed,
      TruthTree tree,
      List<DemoClient> clients,
      BackgroundLoad load,
      LatencyProbe probe,
      String failure,
      Chaos chaos,
      UnservedWindows windows) {
    Totals totals = Totals.of(tree, clients, load);
    probe.nextInterval();
    Histogram latency = probe.total();
    String why = failure;
    if (why == null && totals.failures() > 0) {
      why =
          totals.failures()
              + " fops could not be published: "
              + tree.firstFailure().orElse(load == null ? "" : String.valueOf(load.firstFailure()));
    }
    return new DemoSummary(
        elapsed,
        setup,
        totals.demoFops(),
        totals.loadFops(),
        totals.invalidations(),
        latency.getTotalCount(),
        micros(latency.getValueAtPercentile(50)),
        micros(latency.getValueAtPercentile(99)),
        micros(latency.getMaxValue()),
        totals.lookups(),
        totals.hits(),
        totals.unfresh(),
        totals.withinBound(),
        totals.checkedStale(),
        settings.stalenessBound(),
        totals.failures(),
        totals.staleSamples(),
        why,
        chaos == null ? List.of() : chaos.outcomes(),
        windows.longest());
  }

  // ---- the parts

  /** Creates the Upcall topics when one is missing; an operator's existing topics are left as they are. */
  private void ensureTopics(String bootstrapServers) {
    UpcallTopics topics = UpcallTopics.defaults();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
      if (admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(topics.all())) {
        return;
      }
      // Three replicas where the cluster has them (brokers default to min.insync.replicas 2 there),
      // else one each.
      int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
      TopicEnsurer.ensure(
          admin,
          topics,
          TopicSettings.defaults()
              .withPartitions(settings.partitions())
              .withReplicationFactor(
                  Math.max(1, Math.min(3, brokers)))); // waits until their leaders serve them
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot reach Kafka at " + bootstrapServers + " to create the topics: " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the topics", e);
    }
  }

  private InProcessStreams startStreams(String bootstrapServers, Deque<AutoCloseable> started)
      throws InterruptedException {
    try {
      stateDir = Files.createTempDirectory("upcall-demo-streams-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a state directory for the streams app", e);
    }
    Path dir = stateDir;
    started.push(() -> deleteRecursively(dir));
    Map<String, Object> props = new HashMap<>();
    props.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee());
    props.put(UpcallStreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis());
    props.put(UpcallStreamsConfig.STATE_DIR_CONFIG, dir.toString());
    props.put(TopicSettings.PARTITIONS_CONFIG, settings.partitions());
    props.put(HttpSettings.PORT_CONFIG, settings.httpPort());
    props.put(HttpSettings.BIND_ADDRESS_CONFIG, LOOPBACK);
    props.put(HttpSettings.ADVERTISED_HOST_CONFIG, LOOPBACK);
    InProcessStreams streams = InProcessStreams.start(props, READY_TIMEOUT);
    started.push(streams);
    return streams;
  }

  private BrickPublisher publisher(String bootstrapServers, String brick, EventClock clock) {
    return BrickPublisher.builder()
        .bootstrapServers(bootstrapServers)
        .volume(brick.startsWith("demo") ? TruthTree.VOLUME : "vol0")
        .brick(brick)
        .clock(clock.heartbeats())
        .heartbeatInterval(HEARTBEAT_INTERVAL)
        .property("linger.ms", 1)
        .build();
  }

  /** Waits until every client heard from every streams task, so none can miss an invalidation from now on. */
  private void awaitReady(List<DemoClient> clients, TruthTree tree) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    for (DemoClient client : clients) {
      while (!client.awaitReady(Duration.ofMillis(TICK_MS))) {
        tree.tick(); // the bricks' heartbeats must advance for the streams tasks to prove progress
        if (stopRequested.getCount() == 0) {
          throw new IllegalStateException("stopped before the clients were ready");
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              client.name()
                  + " did not become ready within "
                  + READY_TIMEOUT.toSeconds()
                  + " s: no progress marks from every streams task"
                  + (settings.startStreams()
                      ? ""
                      : " (is a streams app running on this cluster?)"));
        }
      }
    }
  }

  /** A client uid in GlusterFS's layout, one per demo client of this process. */
  private static String clientUid(int index) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return "CTX_ID:"
        + UUID.randomUUID()
        + "-GRAPH_ID:0-PID:"
        + ProcessHandle.current().pid()
        + "-HOST:"
        + host
        + "-PC_NAME:demo-client-"
        + index
        + "-RECON_NO:-0";
  }

  private void say(String line) {
    out.println("upcall demo: " + line);
    out.flush();
  }

  /** Closes in reverse order of starting; every part is closed even when one fails. */
  private static void closeAll(Deque<AutoCloseable> started) throws InterruptedException {
    RuntimeException failure = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("shutting down: " + e.getMessage(), e);
        }
      }
    }
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while shutting down");
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static Duration micros(long micros) {
    return Duration.ofNanos(micros * 1000);
  }
}
