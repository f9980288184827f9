package io.upcall.cli;

import io.upcall.schemas.topics.UpcallTopics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How a command reaches Kafka and names the Upcall topics, spelled as Kafka's own tools spell it and the same in every
 * command: {@code --bootstrap-server}, {@code --command-config}, {@code --property}, {@code --timeout},
 * {@code --topic-prefix}. The older spellings ({@code --bootstrap-servers}, {@code --client-property},
 * {@code --producer-property}, {@code --producer-config}) still work and are not listed.
 */
final class KafkaOptions {

  static final String DEFAULT_BOOTSTRAP_SERVER = "localhost:9092";

  @Option(
      names = "--bootstrap-server",
      paramLabel = "HOST:PORT",
      description =
          "The Kafka cluster, host:port[,host:port...]. Default: " + DEFAULT_BOOTSTRAP_SERVER + ".")
  String bootstrapServer;

  @Option(
      names = "--command-config",
      paramLabel = "FILE",
      description =
          "A properties file of Kafka client settings (e.g. security.protocol, sasl.jaas.config), "
              + "which keeps secrets out of the shell history.")
  Path commandConfig;

  @Option(
      names = "--property",
      paramLabel = "KEY=VALUE",
      description = "A Kafka client setting, over those of --command-config; repeatable.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationParser.Converter.class,
      description =
          "How long to wait for the cluster to answer before giving up. Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      description =
          "Prefix of every Upcall topic name, e.g. vol1. for the volume vol1. Default: none.")
  String topicPrefix;

  @Option(names = "--bootstrap-servers", hidden = true, paramLabel = "HOST:PORT")
  void bootstrapServers(String value) {
    bootstrapServer = value;
  }

  @Option(
      names = {"--client-property", "--producer-property"},
      hidden = true,
      paramLabel = "KEY=VALUE")
  void olderProperty(Map<String, String> values) {
    properties.putAll(values);
  }

  @Option(names = "--producer-config", hidden = true, paramLabel = "FILE")
  void producerConfig(Path file) {
    commandConfig = file;
  }

  /** The cluster: as given, else {@value #DEFAULT_BOOTSTRAP_SERVER}. */
  String bootstrapServers() {
    return bootstrapServer != null ? bootstrapServer : DEFAULT_BOOTSTRAP_SERVER;
  }

  /** Whether --bootstrap-server (or its older spelling) was given. */
  boolean bootstrapGiven() {
    return bootstrapServer != null;
  }

  /** The topic prefix as given, or empty. */
  String topicPrefix() {
    return topicPrefix == null ? "" : topicPrefix;
  }

  /** The Upcall topics with --topic-prefix; a prefix that makes an illegal name is a usage error. */
  UpcallTopics topics(CommandSpec spec) {
    try {
      return UpcallTopics.withPrefix(topicPrefix());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--topic-prefix: " + e.getMessage());
    }
  }

  /** The client settings: --command-config, then --property, then bootstrap.servers; checked as a usage error. */
  Map<String, Object> clientProperties(CommandSpec spec) {
    if (bootstrapServers().isBlank()) {
      throw new ParameterException(
          spec.commandLine(), "--bootstrap-server must name at least one host:port");
    }
    checkTimeout(spec);
    Map<String, Object> settings = new HashMap<>(commandConfig(spec));
    settings.putAll(properties);
    settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return settings;
  }

  /** --command-config's settings, then --property's, without bootstrap.servers (e.g. for a streams config). */
  Map<String, Object> passThrough(CommandSpec spec) {
    checkTimeout(spec);
    Map<String, Object> settings = new HashMap<>(commandConfig(spec));
    settings.putAll(properties);
    return settings;
  }

  /** Asks the cluster for its brokers within --timeout; a cluster that does not answer is one line, exit 1. */
  ReachableCluster reach(CommandSpec spec) {
    return ReachableCluster.reach(clientProperties(spec), timeout);
  }

  Duration timeout() {
    return timeout;
  }

  /** --timeout in whole milliseconds, for client settings. */
  int timeoutMs() {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
  }

  private void checkTimeout(CommandSpec spec) {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new ParameterException(
          spec.commandLine(), "--timeout must be positive, was " + DurationParser.format(timeout));
    }
  }

  private Map<String, String> commandConfig(CommandSpec spec) {
    Map<String, String> settings = new HashMap<>();
    if (commandConfig == null) {
      return settings;
    }
    Properties file = new Properties();
    try (Reader in = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8)) {
      file.load(in);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(),
          "--command-config: cannot read "
              + commandConfig
              + (e instanceof NoSuchFileException
                  ? " (no such file)"
                  : " (" + e.getMessage() + ")"));
    }
    file.stringPropertyNames().forEach(name -> settings.put(name, file.getProperty(name).trim()));
    return settings;
  }
}
