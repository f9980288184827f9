package io.upcall.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.upcall.avro.ConfigChange;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.Switches;
import io.upcall.streams.ops.AppliedConfig;
import io.upcall.streams.ops.Instances;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code upcall config get|set}: the runtime switches in the compacted {@code upcall.config} topic, which every
 * streams instance applies at once, as {@code gluster volume set} does.
 */
@Command(
    name = "config",
    description = {
      "Read or change the streams app's runtime options, as gluster volume set does.",
      "The options ("
          + Switches.CACHE_INVALIDATION
          + ", "
          + Switches.CACHE_INVALIDATION_TIMEOUT
          + ", …) live in the compacted upcall.config topic; every running instance applies a change within about "
          + "a second, without a restart."
    },
    subcommands = {ConfigCommand.GetCommand.class, ConfigCommand.SetCommand.class})
public final class ConfigCommand implements Runnable {

  /** The options the streams app applies at runtime, in the order they are shown. */
  static final List<String> OPTIONS = Switches.OPTIONS.stream().sorted().toList();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: get [OPTION] or set OPTION VALUE");
  }

  /** {@code upcall config set OPTION VALUE}. */
  @Command(
      name = "set",
      description =
          "Validate VALUE as every streams instance will (a bad value is refused with "
              + "what the option accepts, exit 2), then write it to upcall.config keyed by OPTION.")
  static final class SetCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Parameters(
        index = "0",
        paramLabel = "OPTION",
        description = "A runtime option, e.g. cache-invalidation or cache-invalidation-timeout.")
    String option;

    @Parameters(
        index = "1",
        paramLabel = "VALUE",
        description =
            "e.g. on/off for cache-invalidation, whole seconds >= 0 for cache-invalidation-timeout.")
    String value;

    @Override
    public Integer call() throws Exception {
      String canonical;
      try {
        canonical = Switches.canonical(option, value);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      UpcallTopics topics = kafka.topics(spec);
      Map<String, Object> properties = kafka.clientProperties(spec);
      kafka.reach(spec);
      int timeoutMs = Math.max(kafka.timeoutMs(), 2);
      properties.put(ProducerConfig.ACKS_CONFIG, "all");
      properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
      properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
      // The producer insists on delivery.timeout.ms >= linger.ms + request.timeout.ms.
      properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs / 2);
      properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "upcall-config");
      ConfigChange change =
          new ConfigChange(option, canonical, setBy(), System.currentTimeMillis());
      RecordMetadata written;
      try (KafkaProducer<String, ConfigChange> producer =
          new KafkaProducer<>(
              properties, new StringSerializer(), UpcallSerdes.configChange().serializer())) {
        written =
            producer
                .send(new ProducerRecord<>(topics.config(), option, change))
                .get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TimeoutException) {
          throw new CommandFailure(
              "could not write to "
                  + topics.config()
                  + " at "
                  + kafka.bootstrapServers()
                  + " within "
                  + DurationParser.format(kafka.timeout())
                  + ": "
                  + e.getCause().getMessage()
                  + " (does the topic exist? upcall topics --ensure creates it)",
              e.getCause());
        }
        throw e;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "set "
              + option
              + " = "
              + canonical
              + " in "
              + topics.config()
              + " (offset "
              + written.offset()
              + "); running instances apply it within about a second "
              + "(see upcall config get "
              + option
              + ")");
      out.flush();
      return 0;
    }

    private static String setBy() {
      String user = System.getProperty("user.name", "unknown");
      try {
        return user + "@" + InetAddress.getLocalHost().getHostName() + " (upcall config set)";
      } catch (UnknownHostException e) {
        return user + " (upcall config set)";
      }
    }
  }

  /** {@code upcall config get [OPTION]}. */
  @Command(
      name = "get",
      description =
          "Show the value of OPTION (default: every option) in upcall.config, and the "
              + "value each running streams instance applies: the instance at --server (repeatable) and every instance "
              + "it knows of.")
  static final class GetCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(
        names = "--server",
        paramLabel = "URL",
        converter = OpsEndpoint.UrlConverter.class,
        description =
            "Operator endpoint of a streams instance; repeatable. The instances it knows of are "
                + "asked too, at their advertised application.server. Default: "
                + OpsEndpoint.DEFAULT_SERVER
                + ".")
    List<URI> servers = new ArrayList<>();

    @Option(
        names = "--json",
        description = "Print JSON: the topic's values and each instance's applied values.")
    boolean json;

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "OPTION",
        description = "A runtime option, e.g. cache-invalidation-timeout; default: every option.")
    String option;

    /** The latest change of each option in the topic (absent: never set, or reset). */
    private final Map<String, ConfigChange> inTopic = new LinkedHashMap<>();

    @Override
    public Integer call() {
      if (option != null && !OPTIONS.contains(option)) {
        throw new ParameterException(
            spec.commandLine(),
            "unknown option '" + option + "' (known: " + String.join(", ", OPTIONS) + ")");
      }
      List<String> options = option == null ? OPTIONS : List.of(option);
      String topic = kafka.topics(spec).config();
      kafka.reach(spec);
      readTopic(topic);
      List<String> unreachable = new ArrayList<>();
      List<AppliedConfig> applied = askInstances(unreachable);

      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        printJson(out, options, applied);
      } else {
        printTable(out, options, applied);
      }
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      unreachable.forEach(reason -> err.println("upcall: " + reason));
      err.flush();
      return applied.isEmpty() ? UpcallCli.EXIT_FAILURE : 0;
    }

    private void readTopic(String topic) {
      Duration timeout = kafka.timeout();
      Map<String, Object> properties = kafka.clientProperties(spec);
      properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "upcall-config");
      try (KafkaConsumer<String, byte[]> consumer =
              new KafkaConsumer<>(
                  properties, new StringDeserializer(), new ByteArrayDeserializer());
          Deserializer<ConfigChange> changes = UpcallSerdes.configChange().deserializer()) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
          throw new CommandFailure(
              "topic "
                  + topic
                  + " does not exist at "
                  + kafka.bootstrapServers()
                  + " (create it with upcall topics --ensure, or see --topic-prefix)");
        }
        List<TopicPartition> partitions =
            infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < ends.get(p))) {
          if (System.nanoTime() - deadline > 0) {
            throw new CommandFailure(
                "could not read "
                    + topic
                    + " to its end within "
                    + DurationParser.format(timeout)
                    + " (see --timeout)");
          }
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (record.key() == null) {
              continue;
            }
            ConfigChange change =
                record.value() == null
                    ? null
                    : changes.deserialize(record.topic(), record.headers(), record.value());
            if (change == null || change.getValue() == null) {
              inTopic.remove(record.key());
            } else {
              inTopic.put(record.key(), change);
            }
          }
        }
      }
    }

    /** /config of every instance: those given, then those they know of (by their advertised address). */
    private List<AppliedConfig> askInstances(List<String> unreachable) {
      List<URI> asked =
          servers.isEmpty() ? List.of(URI.create(OpsEndpoint.DEFAULT_SERVER)) : servers;
      Map<String, AppliedConfig> answers = new LinkedHashMap<>();
      Set<String> known = new LinkedHashSet<>();
      for (URI server : asked) {
        OpsEndpoint endpoint = new OpsEndpoint(server);
        try {
          AppliedConfig config = appliedAt(endpoint);
          answers.put(config.instance(), config);
          OpsEndpoint.Answer instances = endpoint.get("/instances");
          if (instances.ok()) {
            instances
                .as(Instances.class)
                .instances()
                .forEach(member -> known.add(member.instance()));
          }
        } catch (OpsEndpoint.Unreachable e) {
          unreachable.add(e.getMessage());
        } catch (IllegalStateException e) {
          unreachable.add(server + ": " + e.getMessage());
        }
      }
      for (String instance : known) {
        if (answers.containsKey(instance)) {
          continue;
        }
        try {
          AppliedConfig config = appliedAt(new OpsEndpoint(URI.create("http://" + instance)));
          answers.put(config.instance(), config);
        } catch (OpsEndpoint.Unreachable | IllegalStateException e) {
          unreachable.add(
              "instance "
                  + instance
                  + " (as it advertises itself) did not answer: "
                  + e.getMessage()
                  + "; pass its operator URL as another --server");
        }
      }
      return new ArrayList<>(answers.values());
    }

    private static AppliedConfig appliedAt(OpsEndpoint endpoint) throws OpsEndpoint.Unreachable {
      OpsEndpoint.Answer answer = endpoint.get("/config");
      if (!answer.ok()) {
        throw new IllegalStateException(answer.reason());
      }
      return answer.as(AppliedConfig.class);
    }

    private void printTable(PrintWriter out, List<String> options, List<AppliedConfig> applied) {
      List<String> header = new ArrayList<>(List.of("OPTION", "IN TOPIC"));
      applied.forEach(config -> header.add(config.instance()));
      TextTable table = new TextTable(header.toArray(String[]::new));
      for (String name : options) {
        List<Object> row = new ArrayList<>();
        row.add(name);
        ConfigChange change = inTopic.get(name);
        row.add(change == null ? "(not set)" : change.getValue());
        applied.forEach(config -> row.add(config.applied().get(name)));
        table.row(row.toArray());
      }
      table.print(out);
      for (String name : options) {
        ConfigChange change = inTopic.get(name);
        if (change != null) {
          out.println(
              name
                  + " = "
                  + change.getValue()
                  + " set by "
                  + change.getSetBy()
                  + " at "
                  + Instant.ofEpochMilli(change.getAtMs()));
        }
      }
      if (options.stream().anyMatch(name -> !inTopic.containsKey(name))) {
        out.println("(not set): instances apply the value they started with");
      }
    }

    private void printJson(PrintWriter out, List<String> options, List<AppliedConfig> applied) {
      ObjectNode root = OpsEndpoint.JSON.createObjectNode();
      ObjectNode topic = root.putObject("topic");
      for (String name : options) {
        ConfigChange change = inTopic.get(name);
        if (change == null) {
          topic.putNull(name);
        } else {
          topic
              .putObject(name)
              .put("value", change.getValue())
              .put("setBy", change.getSetBy())
              .put("atMs", change.getAtMs());
        }
      }
      root.set("instances", OpsEndpoint.JSON.valueToTree(applied));
      try {
        out.println(OpsEndpoint.JSON.writeValueAsString(root));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
