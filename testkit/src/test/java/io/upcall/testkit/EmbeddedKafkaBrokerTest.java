package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker(TestReporter reporter) {
    long cold = System.nanoTime();
    broker = EmbeddedKafkaBroker.builder().build().start();
    reporter.publishEntry(
        "embedded broker start (cold when this class runs first in its JVM)",
        elapsedMs(cold) + " ms");
  }

  @AfterAll
  static void closeBroker() {
    broker.close();
  }

  @Test
  void startedBrokerAnswersAdminRequestsOnLoopback() throws Exception {
    assertThat(broker.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
    try (Admin admin = Admin.create(broker.adminProperties())) {
      assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
      assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
          .isEqualTo(broker.clusterId());
    }
  }

  @Test
  void recordsProducedToACreatedTopicAreConsumed() {
    broker.createTopics(2, "round-trip");

    try (KafkaProducer<String, String> producer = producer(broker, Map.of())) {
      producer.send(new ProducerRecord<>("round-trip", "gfid-1", "hello"));
      producer.send(new ProducerRecord<>("round-trip", "gfid-2", "world"));
    }

    Map<String, String> seen = Records.consume(broker, "round-trip", 2, Map.of());
    assertThat(seen)
        .containsExactlyInAnyOrderEntriesOf(Map.of("gfid-1", "hello", "gfid-2", "world"));
  }

  @Test
  void readCommittedConsumerSeesCommittedTransactionsOnly() {
    broker.createTopics(1, "transactional");

    try (KafkaProducer<String, String> producer =
        producer(broker, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "txn-test"))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("transactional", "aborted", "never seen"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("transactional", "committed", "seen"));
      producer.commitTransaction();
    }

    Map<String, String> seen =
        Records.consume(
            broker,
            "transactional",
            1,
            Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    assertThat(seen).containsExactly(Map.entry("committed", "seen"));
  }

  @Test
  void stopKeepsDataAndRestartServesItOnTheSamePort(TestReporter reporter) throws IOException {
    try (EmbeddedKafkaBroker outage = EmbeddedKafkaBroker.builder().build().start()) {
      String bootstrap = outage.bootstrapServers();
      outage.createTopics(1, "survives-restart");
      try (KafkaProducer<String, String> producer = producer(outage, Map.of())) {
        producer.send(new ProducerRecord<>("survives-restart", "k", "before outage"));
      }

      outage.stop();
      assertThat(outage.isRunning()).isFalse();
      assertThat(acceptsConnections(outage.port())).isFalse();
      assertThat(outage.logDir()).isDirectory();

      long warm = System.nanoTime();
      outage.restart();
      reporter.publishEntry("embedded broker restart on existing log dir", elapsedMs(warm) + " ms");

      assertThat(outage.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(Records.consume(outage, "survives-restart", 1, Map.of()))
          .containsExactly(Map.entry("k", "before outage"));
    }
  }

  @Test
  void closeDeletesTheLogDirectoryAndStopsTheBrokerThreads(TestReporter reporter) {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    long warm = System.nanoTime();
    EmbeddedKafkaBroker shortLived = EmbeddedKafkaBroker.builder().build().start();
    reporter.publishEntry(
        "embedded broker start (warm, JVM already ran one)", elapsedMs(warm) + " ms");
    Path dir = shortLived.logDir();
    assertThat(dir).isDirectory();

    shortLived.close();

    assertThat(dir).doesNotExist();
    assertThat(dir.getParent()).doesNotExist();
    assertThat(shortLived.isRunning()).isFalse();
    assertThat(newThreadsStillAlive(before)).isEmpty();
    assertThatThrownBy(shortLived::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void suppliedLogDirectoryIsKeptOnCloseAndReusedWithItsData(@TempDir Path tmp) {
    Path dataDir = tmp.resolve("kafka-data");
    String clusterId;
    try (EmbeddedKafkaBroker first =
        EmbeddedKafkaBroker.builder().logDir(dataDir).build().start()) {
      clusterId = first.clusterId();
      first.createTopics(1, "kept");
      try (KafkaProducer<String, String> producer = producer(first, Map.of())) {
        producer.send(new ProducerRecord<>("kept", "k", "v"));
      }
    }
    assertThat(dataDir.resolve("meta.properties")).isRegularFile();

    try (EmbeddedKafkaBroker second =
        EmbeddedKafkaBroker.builder().logDir(dataDir).build().start()) {
      assertThat(second.clusterId()).isEqualTo(clusterId);
      assertThat(Records.consume(second, "kept", 1, Map.of())).containsExactly(Map.entry("k", "v"));
    }
  }

  @Test
  void extraBrokerPropertiesOverrideTheDefaults() throws Exception {
    try (EmbeddedKafkaBroker strict =
            EmbeddedKafkaBroker.builder()
                .brokerProperty("auto.create.topics.enable", "false")
                .build()
                .start();
        Admin admin = Admin.create(strict.adminProperties())) {
      var brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "1");
      var config =
          admin
              .describeConfigs(List.of(brokerResource))
              .all()
              .get(10, TimeUnit.SECONDS)
              .get(brokerResource);
      assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
      assertThat(config.get("transaction.state.log.min.isr").value()).isEqualTo("1");
    }
  }

  @Test
  void portInUseFailsTheStartWithTheReason() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      EmbeddedKafkaBroker clash = EmbeddedKafkaBroker.builder().port(taken.getLocalPort()).build();

      assertThatThrownBy(clash::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("failed to start")
          .hasMessageContaining(String.valueOf(taken.getLocalPort()));
      assertThat(clash.isRunning()).isFalse();
    }
  }

  @Test
  void builderRejectsAnOutOfRangePort() {
    assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().port(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
  }

  static KafkaProducer<String, String> producer(
      EmbeddedKafkaBroker target, Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>(target.adminProperties());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putAll(extra);
    return new KafkaProducer<>(props);
  }

  private static boolean acceptsConnections(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  /** Threads started since {@code before} that are still running, other than JVM-wide pools. */
  private static List<String> newThreadsStillAlive(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .map(Thread::getName)
        .filter(name -> !name.startsWith("ForkJoinPool.commonPool"))
        .sorted()
        .collect(Collectors.toList());
  }

  private static long elapsedMs(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }
}
