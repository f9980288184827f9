package io.upcall.cli;

import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.streams.ops.HttpSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code upcall streams}: runs the streams application until Ctrl-C, which closes it cleanly.
 *
 * <p>A test (or another command) stops it without exiting the JVM through {@link #requestStop()}.
 */
@Command(
    name = "streams",
    description = {
      "Run the upcall streams application: upcall.fops in, upcall.invalidations out.",
      "It creates the Upcall topics that are missing and leaves existing ones as they are. Options come "
          + "from --config, then UPCALL_* environment variables (UPCALL_CACHE_INVALIDATION_TIMEOUT=30), then "
          + "these flags; any other Kafka Streams property in the file passes through. A lost broker is said "
          + "once, and once more when it is back. Ctrl-C stops it cleanly."
    })
public final class StreamsCommand implements Callable<Integer> {

  /** Where the operator commands (inspect, stats, config get) look by default. */
  static final int DEFAULT_HTTP_PORT = 8080;

  private static final Duration WATCH_INTERVAL = Duration.ofSeconds(2);

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      description =
          "The application id: the consumer group and the prefix of the internal topics; instances "
              + "sharing it share the work. Default: application.id from --config, else "
              + UpcallStreamsConfig.APPLICATION_ID_DEFAULT
              + ".")
  String applicationId;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "A properties file: the options of the streams app (see the README) and any Kafka "
              + "Streams property.")
  Path config;

  @Option(
      names = "--http-port",
      paramLabel = "N",
      description =
          "Port of the operator HTTP endpoint (/health, /metrics, /inodes/{gfid}, /stats, …); 0 picks "
              + "a free one, -1 serves none. Default: upcall.http.port from --config or UPCALL_HTTP_PORT, else "
              + DEFAULT_HTTP_PORT
              + ".")
  Integer httpPort;

  private final CountDownLatch started = new CountDownLatch(1);
  private final StopSignal stop = new StopSignal();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    UpcallStreamsConfig settings = config();
    Map<String, Object> clientProperties =
        new HashMap<>(
            new StreamsConfig(settings.streamsProperties())
                .getAdminConfigs("upcall-streams-check"));
    clientProperties.put(
        UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
        String.join(",", settings.getList(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG)));
    ReachableCluster.reach(clientProperties, kafka.timeout());
    StopSignal.OnCtrlC onCtrlC = stop.onCtrlC("upcall-streams-shutdown");
    UpcallStreamsApp app = null;
    try {
      app = UpcallStreamsApp.start(settings);
      err.println(
          "upcall streams: started; Ctrl-C stops it"
              + app.operatorEndpoint()
                  .map(uri -> "; operator endpoint " + uri + ", console " + uri + "/")
                  .orElse(""));
      err.flush();
      try (BrokerWatch ignored =
          BrokerWatch.start(
              clientProperties, kafka.timeout(), WATCH_INTERVAL, line -> say(err, line))) {
        started.countDown();
        while (!stop.await(1, TimeUnit.SECONDS)) {
          KafkaStreams.State state = app.state();
          if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
            say(err, "stopped on its own (" + state + "); see the log for why");
            return UpcallCli.EXIT_FAILURE;
          }
        }
      }
      return 0;
    } finally {
      if (app != null) {
        app.close();
      }
      started.countDown();
      onCtrlC.close();
    }
  }

  /** Asks a running {@code streams} command to close the app and return; safe at any time. */
  public void requestStop() {
    stop.request();
  }

  /** Waits until the app was started (or failed to start); false when neither happened within the timeout. */
  public boolean awaitStarted(Duration timeout) throws InterruptedException {
    return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private UpcallStreamsConfig config() {
    if (config != null && !Files.isReadable(config)) {
      throw new ParameterException(spec.commandLine(), "--config: cannot read " + config);
    }
    Map<String, Object> flags = new HashMap<>(kafka.passThrough(spec));
    if (kafka.bootstrapGiven()) {
      flags.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    }
    if (kafka.topicPrefix != null) {
      // A prefix that makes an illegal topic name is refused here, naming the flag.
      kafka.topics(spec);
      flags.put(UpcallStreamsConfig.TOPIC_PREFIX_CONFIG, kafka.topicPrefix);
    }
    if (applicationId != null) {
      if (applicationId.isBlank()) {
        throw new ParameterException(spec.commandLine(), "--application-id must not be empty");
      }
      flags.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    }
    if (httpPort != null) {
      if (httpPort < -1 || httpPort > 65535) {
        throw new ParameterException(
            spec.commandLine(),
            "--http-port must be -1 (none), 0 (any free port) or a port up to 65535, was "
                + httpPort);
      }
      flags.put(HttpSettings.PORT_CONFIG, httpPort);
    }
    try {
      UpcallStreamsConfig loaded = UpcallStreamsConfig.load(config, System.getenv(), flags);
      if (httpPort == null && !loaded.originals().containsKey(HttpSettings.PORT_CONFIG)) {
        // The library serves no endpoint unless asked; the command serves where the operator
        // commands look.
        flags.put(HttpSettings.PORT_CONFIG, DEFAULT_HTTP_PORT);
        loaded = UpcallStreamsConfig.load(config, System.getenv(), flags);
      }
      return loaded;
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static void say(PrintWriter err, String line) {
    err.println("upcall streams: " + line);
    err.flush();
  }
}
