package io.upcall.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.upcall.demo.Demo;
import io.upcall.demo.DemoSettings;
import io.upcall.demo.DemoSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
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
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
                "Show the whole product working: a Kafka broker (embedded unless --bootstrap-servers), the streams "
                        + "app, a load generator playing several bricks, and clients with metadata caches reading and "
                        + "writing a shared tree.",
                "Every answer a cache gives is checked against the truth of the tree. A live view shows fops/s, "
                        + "invalidations/s, fop->cache latency, hit ratio and stale reads (cached answers still "
                        + "served longer than the staleness bound after a change). Runs until Ctrl-C or --duration, "
                        + "then shuts down and prints a summary.",
                "Exit 0 when there were no stale reads (and something to check), 1 otherwise."})
public final class DemoCommand implements Callable<Integer> {

    /** Kafka clients' and metrics' routine warnings (retries, rebalances) would scroll the live view away. */
    private static final List<String> CLIENT_LOGGERS = List.of("org.apache.kafka", "io.micrometer");
    /**
     * The embedded broker's own (server-side) log is not the demo's output: with an external cluster it would be in
     * the brokers' logs. Under load it logs the Streams producer's retried transactional appends as errors
     * (OutOfOrderSequenceException after CONCURRENT_TRANSACTIONS), which Streams recovers from; a broker that
     * cannot serve shows as a failure to start or as stale reads. --verbose shows it all.
     */
    private static final List<String> BROKER_LOGGERS = List.of("kafka", "state.change.logger");
    private static final String SIMPLE_LOGGER_PREFIX = "org.slf4j.simpleLogger.log.";
    private static final int DEFAULT_HTTP_PORT = 8080;

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Use this Kafka cluster instead of an embedded single-node broker.")
    String bootstrapServers;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30 (seconds), 30s, 5m. Default: until Ctrl-C.")
    Duration duration;

    @Option(names = "--at-least-once",
            description = "Run the streams app at-least-once instead of exactly_once_v2 (lower latency).")
    boolean atLeastOnce;

    @Option(names = "--commit-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "100ms",
            description = "The streams app's commit interval (under exactly-once, the floor of the latency). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration commitInterval;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "3",
            description = "Clients with a metadata cache on the shared tree (>= 2). Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--rate", paramLabel = "OPS", defaultValue = "100",
            description = "Operations per second of each client (70 %% lookups). Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--load-rate", paramLabel = "FOPS", defaultValue = "300",
            description = "Fops per second of the background load generator (3 bricks, 50 clients); 0 for none. "
                    + "Default: ${DEFAULT-VALUE}.")
    double loadRate;

    @Option(names = "--load", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the background load generator. Default: on; --no-load skips it.")
    boolean load;

    @Option(names = "--streams", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run a streams app instance in this process. Default: on; --no-streams relies on one "
                    + "already running on the cluster.")
    boolean streams;

    @Option(names = "--staleness-bound", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "2s",
            description = "How far behind a change a cached answer may be. Default: ${DEFAULT-VALUE}.")
    Duration stalenessBound;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "Partitions of the Upcall topics, when the demo creates them. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = DemoSettings.DEFAULT_APPLICATION_ID,
            description = "The streams app's application id (the same as a deployed app's joins it). "
                    + "Default: ${DEFAULT-VALUE}.")
    String applicationId;

    @Option(names = "--files", paramLabel = "N", defaultValue = "60",
            description = "Files of the shared tree (kept near this size). Default: ${DEFAULT-VALUE}.")
    int files;

    @Option(names = "--dirs", paramLabel = "N", defaultValue = "4",
            description = "Directories of the shared tree. Default: ${DEFAULT-VALUE}.")
    int directories;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the clients' and the load's random choices. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the streams app's operator endpoint on 127.0.0.1; 0 picks a free one, -1 serves "
                    + "none. Default: " + DEFAULT_HTTP_PORT + ", or a free port when it is taken.")
    Integer httpPort;

    @Option(names = "--plain",
            description = "One status line per second even on a terminal (the default when output is not one).")
    boolean plain;

    @Override
    public Integer call() throws InterruptedException {
        DemoSettings settings = settings();
        boolean verbose = "1".equals(System.getenv(UpcallCli.DEBUG_ENV)) || parentVerbose();
        if (!verbose) {
            quietKafkaLogs();
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = !plain && System.console() != null && !"dumb".equals(System.getenv("TERM"));
        Demo demo = new Demo(settings, out, terminal);
        DemoSummary summary;
        try (StopSignals ignored = StopSignals.install(demo::stop)) {
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
                    .clientOpsPerSecond(rate)
                    .loadFopsPerSecond(load ? loadRate : 0)
                    .stalenessBound(stalenessBound)
                    .partitions(partitions)
                    .startStreams(streams)
                    .applicationId(applicationId)
                    .directories(directories)
                    .files(files)
                    .seed(seed)
                    .httpPort(httpPort != null ? httpPort : isFree(DEFAULT_HTTP_PORT) ? DEFAULT_HTTP_PORT : 0)
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
                {"bootstrapServers", "--bootstrap-servers"}, {"duration", "--duration"},
                {"commitInterval", "--commit-interval"}, {"clientOpsPerSecond", "--rate"},
                {"loadFopsPerSecond", "--load-rate"}, {"stalenessBound", "--staleness-bound"},
                {"partitions", "--partitions"}, {"applicationId", "--application-id"},
                {"directories", "--dirs"}, {"files", "--files"}, {"clients", "--clients"},
                {"httpPort", "--http-port"}};
        for (String[] name : names) {
            if (message.startsWith(name[0] + " ")) {
                return name[1] + message.substring(name[0].length());
            }
        }
        return message;
    }

    private boolean parentVerbose() {
        CommandLine parent = spec.commandLine().getParent();
        return parent != null && parent.getCommand() instanceof UpcallCli cli && cli.verbose;
    }

    /** Raises Kafka's loggers (unless the user set them: a system property wins) before the first is created. */
    private static void quietKafkaLogs() {
        CLIENT_LOGGERS.forEach(logger -> setLevelUnlessSet(logger, "error"));
        BROKER_LOGGERS.forEach(logger -> setLevelUnlessSet(logger, "off"));
    }

    private static void setLevelUnlessSet(String logger, String level) {
        String key = SIMPLE_LOGGER_PREFIX + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }

    /** A duration as people type it: {@code 30} (seconds), {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code PT30S}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            Matcher m = SIMPLE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                double unitMs = switch (unit) {
                    case "ms" -> 1;
                    case "s" -> 1_000;
                    case "m" -> 60_000;
                    default -> 3_600_000;
                };
                return Duration.ofNanos(Math.round(amount * unitMs * 1_000_000));
            }
            try {
                return Duration.parse(value.trim());
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException(
                        "expected a duration such as 30 (seconds), 500ms, 30s or 5m, was '" + value + "'");
            }
        }
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
            SignalHandler onSignal = signal -> {
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
