package io.upcall.cli;

import io.upcall.schemas.topics.TopicAction;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.KafkaCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code upcall broker}: a single-node Kafka broker in this process, or with {@code --brokers N} a cluster of real
 * brokers in child JVMs, with the Upcall topics, until Ctrl-C.
 *
 * <p>A test (or another command) stops it without exiting the JVM through {@link #requestStop()}.
 */
@Command(
    name = "broker",
    description = {
      "Run a single-node Kafka broker (KRaft) on 127.0.0.1 with the Upcall topics until Ctrl-C.",
      "With --brokers 3: three brokers (each also a controller) in their own JVMs, replication factor 3, "
          + "min.insync.replicas 2, on ports PORT, PORT+1, PORT+2.",
      "Data lives in a temporary directory deleted on exit, unless --data-dir is given (one broker only)."
    })
public final class BrokerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "9092",
      description = "PLAINTEXT port for clients (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--brokers",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Brokers to run: 1 in this process, or more (e.g. 3) as a replicated cluster of child JVMs. "
              + "Default: ${DEFAULT-VALUE}.")
  int brokers;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Keep the broker's data in DIR (created when missing, reused when present).")
  Path dataDir;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "" + TopicSettings.PARTITIONS_DEFAULT,
      description =
          "Partitions of the fop and invalidation topics it creates. Default: ${DEFAULT-VALUE}, as "
              + "every command that creates topics.")
  int partitions;

  @Option(
      names = "--create-topics",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Create the Upcall topics (idempotent). Default: on; --no-create-topics skips it.")
  boolean createTopics;

  private final CountDownLatch ready = new CountDownLatch(1);
  private final StopSignal stop = new StopSignal();
  private volatile String bootstrapServers;

  @Override
  public Integer call() throws Exception {
    validate();
    if (brokers > 1) {
      return runCluster();
    }
    EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(port);
    if (dataDir != null) {
      builder.logDir(dataDir);
    }
    StopSignal.OnCtrlC onCtrlC = stop.onCtrlC("upcall-broker-shutdown");
    try (EmbeddedKafkaBroker broker = builder.build().start()) {
      List<String> topics =
          createTopics
              ? BrokerTopics.ensure(broker, partitions)
              : List.of("not created (--no-create-topics)");
      bootstrapServers = broker.bootstrapServers();
      printReady(broker, topics);
      ready.countDown();
      stop.await();
      spec.commandLine().getOut().println("stopping the broker…");
      spec.commandLine().getOut().flush();
    } finally {
      onCtrlC.close();
    }
    return 0;
  }

  private Integer runCluster() throws InterruptedException {
    StopSignal.OnCtrlC onCtrlC = stop.onCtrlC("upcall-broker-shutdown");
    PrintWriter out = spec.commandLine().getOut();
    out.println("starting " + brokers + " Kafka brokers (child JVMs)…");
    out.flush();
    try (KafkaCluster cluster =
        KafkaCluster.builder().brokers(brokers).basePort(port).build().start()) {
      List<String> topics =
          createTopics
              ? cluster.ensureTopics(UpcallTopics.defaults(), partitions).stream()
                  .map(TopicAction::toString)
                  .toList()
              : List.of("not created (--no-create-topics)");
      bootstrapServers = cluster.bootstrapServers();
      out.println("Kafka cluster of " + brokers + " brokers ready at " + bootstrapServers);
      out.println(
          "  controllers: nodes "
              + cluster.controllerIds()
              + "; replication factor "
              + Math.min(3, brokers)
              + ", min.insync.replicas "
              + Math.min(2, brokers));
      for (int id : cluster.nodeIds()) {
        out.println(
            "  node "
                + id
                + ":  "
                + cluster.address(id)
                + "  pid "
                + cluster.pid(id)
                + "  log "
                + cluster.logFile(id));
      }
      out.println("  topics:  " + String.join(System.lineSeparator() + "           ", topics));
      out.println("  data:    " + cluster.workDir() + " (deleted on exit)");
      out.println("  clients: bootstrap.servers=" + bootstrapServers);
      out.println("Press Ctrl-C to stop all.");
      out.flush();
      ready.countDown();
      stop.await();
      out.println("stopping the brokers…");
      out.flush();
    } finally {
      onCtrlC.close();
    }
    return 0;
  }

  /** Asks a running {@code broker} command to close the broker and return; safe before it started. */
  public void requestStop() {
    stop.request();
  }

  /** Waits until the broker is up and its topics exist; false when it did not happen within the timeout. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The broker's address once {@link #awaitReady} returned true. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  private void validate() {
    if (port < 0 || port > 65535) {
      throw new ParameterException(
          spec.commandLine(), "--port must be between 0 and 65535, was " + port);
    }
    if (partitions < 1) {
      throw new ParameterException(
          spec.commandLine(), "--partitions must be at least 1, was " + partitions);
    }
    if (brokers < 1 || brokers > 9) {
      throw new ParameterException(
          spec.commandLine(), "--brokers must be between 1 and 9, was " + brokers);
    }
    if (brokers > 1 && dataDir != null) {
      throw new ParameterException(spec.commandLine(), "--data-dir works with one broker only");
    }
    if (brokers > 1 && port > 65535 - brokers) {
      throw new ParameterException(
          spec.commandLine(), "--port leaves no room for " + brokers + " brokers");
    }
    for (int i = 0; port != 0 && i < brokers; i++) {
      if (!portIsFree(port + i)) {
        throw new IllegalStateException(
            "port "
                + (port + i)
                + " on 127.0.0.1 is in use (another broker?); "
                + "pass --port N, or --port 0 for free ports");
      }
    }
  }

  private void printReady(EmbeddedKafkaBroker broker, List<String> topics) {
    PrintWriter out = spec.commandLine().getOut();
    String address = broker.bootstrapServers();
    out.println("Kafka broker ready at " + address);
    out.println("  topics:  " + String.join(System.lineSeparator() + "           ", topics));
    out.println(
        "  data:    " + broker.logDir() + (dataDir == null ? " (deleted on exit)" : " (kept)"));
    out.println(
        "  clients: bootstrap.servers="
            + address
            + "   e.g. kafka-console-consumer.sh --bootstrap-server "
            + address
            + " --topic <topic>");
    out.println("Press Ctrl-C to stop.");
    out.flush();
  }

  private static boolean portIsFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }
}
