package io.upcall.cli;

import io.upcall.demo.Demo;
import io.upcall.demo.DemoSettings;
import io.upcall.demo.DemoSummary;
import io.upcall.schemas.topics.TopicSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code upcall demo}: the whole product in one command, with a live view and a summary; exits 0 when no cache
 * served an answer older than the staleness bound.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show the whole product working: a Kafka broker (embedded unless --bootstrap-server), the streams "
          + "app, a load generator playing several bricks, and clients with metadata caches reading and "
          + "writing a shared tree.",
      "Every answer a cache gives is checked against the truth of the tree. A live view shows fops/s, "
          + "invalidations/s, fop->cache latency, hit ratio and stale reads (cached answers still "
          + "served longer than the staleness bound after a change). Runs until Ctrl-C or --duration, "
          + "then shuts down and prints a summary.",
      "Exit 0 when there were no stale reads (and something to check), 1 otherwise."
    })
public final class DemoCommand implements Callable<Integer> {

  /**
   * The embedded broker's own (server-side) log is not the demo's output: with an external cluster it would be in
   * the brokers' logs. Under load it logs the Streams producer's retried transactional appends as errors
   * (OutOfOrderSequenceException after CONCURRENT_TRANSACTIONS), which Streams recovers from; a broker that
   * cannot serve shows as a failure to start or as stale reads. --verbose shows it all.
   */
  private static final List<String> BROKER_LOGGERS = List.of("kafka", "state.change.logger");

  private static final int DEFAULT_HTTP_PORT = 8080;
  private static final int CLUSTER_PARTITIONS = 4;
  private static final Duration WATCH_INTERVAL = Duration.ofSeconds(2);
  private static final Pattern ISO_DURATION = Pattern.compile("-?PT[-0-9.HMS]+");

  @Spec CommandSpec spec;

  @Option(
      names = "--bootstrap-server",
      paramLabel = "HOST:PORT",
      description = "Use this Kafka cluster instead of an embedded single-node broker.")
  String bootstrapServers;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationParser.Converter.class,
      description =
          "With --bootstrap-server: how long to wait for the cluster to answer before giving up. "
              + "Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Option(names = "--bootstrap-servers", hidden = true, paramLabel = "HOST:PORT")
  void olderBootstrapServers(String value) {
    bootstrapServers = value;
  }

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationParser.Converter.class,
      description = "Stop after this long, e.g. 30 (seconds), 30s, 5m. Default: until Ctrl-C.")
  Duration duration;

  @Option(
      names = "--at-least-once",
      description = "Run the streams app at-least-once instead of exactly_once_v2 (lower latency).")
  boolean atLeastOnce;

  @Option(
      names = "--commit-interval",
      paramLabel = "DURATION",
      converter = DurationParser.Converter.class,
      defaultValue = "100ms",
      description =
          "The streams app's commit interval (under exactly-once, the floor of the latency). "
              + "Default: ${DEFAULT-VALUE}.")
  Duration commitInterval;

  @Option(
      names = "--clients",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Clients with a metadata cache on the shared tree (>= 2). Default: ${DEFAULT-VALUE}.")
  int clients;

  @Option(
      names = "--rate",
      paramLabel = "OPS",
      description =
          "Operations per second of each client (70 %% lookups). Default: 100; 30 with --chaos.")
  Double rate;

  @Option(
      names = "--load-rate",
      paramLabel = "FOPS",
      description =
          "Fops per second of the background load generator (3 bricks, 50 clients); 0 for none. "
              + "Default: 300; 100 with --chaos (the cluster's three JVMs and the demo share the machine).")
  Double loadRate;

  @Option(
      names = "--load",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Run the background load generator. Default: on; --no-load skips it.")
  boolean load;

  @Option(
      names = "--streams",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run a streams app instance in this process. Default: on; --no-streams relies on one "
              + "already running on the cluster.")
  boolean streams;

  @Option(
      names = "--staleness-bound",
      paramLabel = "DURATION",
      converter = DurationParser.Converter.class,
      defaultValue = "2s",
      description = "How far behind a change a cached answer may be. Default: ${DEFAULT-VALUE}.")
  Duration stalenessBound;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description =
          "Partitions of the Upcall topics, when the demo creates them. Default: "
              + TopicSettings.PARTITIONS_DEFAULT
              + ", as every command that creates topics; with --brokers 3, "
              + CLUSTER_PARTITIONS
              + " (each exactly-once commit writes to every partition, three times).")
  Integer partitions;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      defaultValue = DemoSettings.DEFAULT_APPLICATION_ID,
      description =
          "The streams app's application id (the same as a deployed app's joins it). "
              + "Default: ${DEFAULT-VALUE}.")
  String applicationId;

  @Option(
      names = "--files",
      paramLabel = "N",
      defaultValue = "60",
      description = "Files of the shared tree (kept near this size). Default: ${DEFAULT-VALUE}.")
  int files;

  @Option(
      names = "--dirs",
      paramLabel = "N",
      defaultValue = "4",
      description = "Directories of the shared tree. Default: ${DEFAULT-VALUE}.")
  int directories;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description =
          "Seed of the clients' and the load's random choices. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description =
          "Port of the streams app's operator endpoint on 127.0.0.1; 0 picks a free one, -1 serves "
              + "none. Default: "
              + DEFAULT_HTTP_PORT
              + ", or a free port when it is taken.")
  Integer httpPort;

  @Option(
      names = "--brokers",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Without --bootstrap-server: 1 runs an embedded broker in this process; 3 (up to 9) runs a "
              + "cluster of real brokers in child JVMs (replication factor 3, min.insync.replicas 2). "
              + "Default: ${DEFAULT-VALUE}.")
  int brokers;

  @Option(
      names = "--chaos",
      description =
          "With --brokers 3: inject faults in turn under the traffic, each announced with the "
              + "cluster's state: kill -9 of the busiest partition's leader (then its restart), a broker "
              + "paused 10 s, a rolling restart, the streams app restarted while a broker is down (in this "
              + "process its KafkaStreams instance is closed and started again, not killed -9). Runs until "
              + "every fault is over (or --duration, healing the fault under way); the summary lists each "
              + "fault with the longest a client could not serve.")
  boolean chaos;

  @Option(
      names = "--plain",
      description =
          "One status line per second even on a terminal (the default when output is not one).")
  boolean plain;

  @Override
  public Integer call() throws InterruptedException {
    if (brokers > 1 && bootstrapServers != null) {
      throw new ParameterException(
          spec.commandLine(),
          "--brokers starts brokers here: it cannot be combined " + "with --bootstrap-server");
    }
    if (chaos && brokers < 3) {
      throw new ParameterException(
          spec.commandLine(),
          "--chaos needs --brokers 3: it kills, pauses and restarts "
              + "brokers of a replicated cluster the demo starts itself");
    }
    if (chaos && !streams) {
      throw new ParameterException(
          spec.commandLine(),
          "--chaos restarts the streams app in this process: it "
              + "cannot be combined with --no-streams");
    }
    DemoSettings settings = settings();
    boolean verbose = "1".equals(System.getenv(UpcallCli.DEBUG_ENV)) || parentVerbose();
    KafkaLogs.silenceUnless(verbose, BROKER_LOGGERS);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> cluster = null;
    if (bootstrapServers != null) {
      if (timeout.isZero() || timeout.isNegative()) {
        throw new ParameterException(
            spec.commandLine(),
            "--timeout must be positive, was " + DurationParser.format(timeout));
      }
      cluster = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      ReachableCluster.reach(cluster, timeout);
    }
    boolean terminal = !plain && System.console() != null && !"dumb".equals(System.getenv("TERM"));
    Demo demo = new Demo(settings, out, terminal);
    DemoSummary summary;
    try (StopSignals ignored = StopSignals.install(demo::stop);
        BrokerWatch watch =
            cluster == null
                ? null
                : BrokerWatch.start(
                    cluster,
                    timeout,
                    WATCH_INTERVAL,
                    line -> {
                      err.println("upcall demo: " + line);
                      err.flush();
                    })) {
      summary = demo.run();
    }
    summary.print(out);
    return summary.exitCode();
  }

  private DemoSettings settings() {
    try {
      return DemoSettings.builder()
          .bootstrapServers(bootstrapServers)
          .duration(duration)
          .exactlyOnce(!atLeastOnce)
          .commitInterval(commitInterval)
          .clients(clients)
          .clientOpsPerSecond(rate != null ? rate : chaos ? 30 : 100)
          .loadFopsPerSecond(!load ? 0 : loadRate != null ? loadRate : chaos ? 100 : 300)
          .stalenessBound(stalenessBound)
          .partitions(
              partitions != null
                  ? partitions
                  : brokers > 1 ? CLUSTER_PARTITIONS : TopicSettings.PARTITIONS_DEFAULT)
          .startStreams(streams)
          .applicationId(applicationId)
          .directories(directories)
          .files(files)
          .seed(seed)
          .httpPort(httpPort != null ? httpPort : isFree(DEFAULT_HTTP_PORT) ? DEFAULT_HTTP_PORT : 0)
          .brokers(brokers)
          .chaos(chaos)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), flagNamed(e.getMessage()));
    }
  }

  private static boolean isFree(int port) {
    try {
      new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The settings' messages name the record components; people typed flags. */
  private static String flagNamed(String message) {
    String[][] names = {
      {"bootstrapServers", "--bootstrap-server"},
      {"duration", "--duration"},
      {"commitInterval", "--commit-interval"},
      {"clientOpsPerSecond", "--rate"},
      {"loadFopsPerSecond", "--load-rate"},
      {"stalenessBound", "--staleness-bound"},
      {"partitions", "--partitions"},
      {"applicationId", "--application-id"},
      {"directories", "--dirs"},
      {"files", "--files"},
      {"clients", "--clients"},
      {"httpPort", "--http-port"},
      {"brokers", "--brokers"},
      {"chaos", "--chaos"}
    };
    String shown = humanDurations(message);
    for (String[] name : names) {
      if (shown.startsWith(name[0] + " ")) {
        return name[1] + shown.substring(name[0].length());
      }
    }
    return shown;
  }

  /** The settings print durations as Java does (PT0.5S); people typed 500ms. */
  private static String humanDurations(String message) {
    Matcher iso = ISO_DURATION.matcher(message);
    StringBuilder shown = new StringBuilder();
    while (iso.find()) {
      String human;
      try {
        human = DurationParser.format(Duration.parse(iso.group()));
      } catch (RuntimeException notADuration) {
        human = iso.group();
      }
      iso.appendReplacement(shown, Matcher.quoteReplacement(human));
    }
    iso.appendTail(shown);
    return shown.toString();
  }

  private boolean parentVerbose() {
    CommandLine parent = spec.commandLine().getParent();
    return parent != null && parent.getCommand() instanceof UpcallCli cli && cli.verbose;
  }

  /**
   * Ctrl-C (SIGINT) and SIGTERM stop the demo in order, so it can shut everything down and print its summary; a
   * second one exits at once. The signal must be taken before the JVM begins its shutdown: a shutdown hook comes too
   * late, since the embedded broker's own hook then stops it while the demo still closes its clients (they time out
   * and the summary is lost). Hence {@code sun.misc.Signal}, which JEP 260 keeps accessible in {@code
   * jdk.unsupported} for this use, called directly; a signal the platform will not hand over keeps its default.
   */
  private static final class StopSignals implements AutoCloseable {
    private static final List<String> SIGNALS = List.of("INT", "TERM");
    private static final int EXIT_INTERRUPTED = 130;

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile boolean stopping;

    static StopSignals install(Runnable stop) {
      StopSignals signals = new StopSignals();
      SignalHandler onSignal =
          signal -> {
            if (signals.stopping) {
              System.exit(EXIT_INTERRUPTED);
            }
            signals.stopping = true;
            stop.run();
          };
      for (String name : SIGNALS) {
        try {
          Signal signal = new Signal(name);
          signals.previous.put(signal, Signal.handle(signal, onSignal));
        } catch (IllegalArgumentException unavailable) {
          // Unknown here, or reserved by the JVM (-Xrs): the JVM's own handling stays.
        }
      }
      return signals;
    }

    @Override
    public void close() {
      previous.forEach(Signal::handle);
    }
  }
}
