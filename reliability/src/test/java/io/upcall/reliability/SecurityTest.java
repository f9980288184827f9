package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.client.FetchToken;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.producers.PublishException;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaBroker;
import io.upcall.testkit.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a broker that authenticates with SASL/SCRAM-SHA-256 and authorizes with ACLs: each role (brick,
 * client, streams app) has only its own grants, which are enough for the whole flow; a principal without the grant
 * is refused with an error that says so; and nothing any component logs, at INFO, contains a password.
 */
@Tag("slow")
class SecurityTest {
  private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();
  private static final Map<String, String> PASSWORDS = new HashMap<>();

  static {
    // Before any logger exists (this class runs in its own JVM): everything at INFO, so Kafka's
    // config dumps are in.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "info");
    System.setProperty("org.slf4j.simpleLogger.log.kafka", "info");
    System.setOut(new PrintStream(new Tee(System.out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(System.err), true, StandardCharsets.UTF_8));
    for (String user : List.of("admin", "brick", "client", "streams", "intruder")) {
      PASSWORDS.put(user, "pw-" + user + "-" + UUID.randomUUID());
    }
  }

  @TempDir static Path stateDir;

  private static EmbeddedKafkaBroker broker;
  private static UpcallTopics topics;
  private static UpcallStreamsApp app;
  private static String applicationId;

  @BeforeAll
  static void securedBrokerWithRolesAndTheStreamsApp() throws Exception {
    broker =
        EmbeddedKafkaBroker.builder().saslScram("admin", PASSWORDS.get("admin")).build().start();
    topics = UpcallTopics.withPrefix("secure.");
    applicationId = "secure-streams";
    try (Admin admin = Admin.create(broker.adminProperties())) {
      TopicEnsurer.ensure(admin, topics, TopicSettings.defaults().withPartitions(4));
      for (String user : List.of("brick", "client", "streams", "intruder")) {
        broker.upsertScramUser(user, PASSWORDS.get(user));
      }
      List<AclBinding> acls = new ArrayList<>();
      acls.addAll(UpcallAcls.brick("User:brick", topics));
      acls.addAll(UpcallAcls.client("User:client", topics));
      acls.addAll(UpcallAcls.streams("User:streams", topics, applicationId));
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
    broker.awaitTopics(topics.all());

    Map<String, Object> config = new HashMap<>(login("streams"));
    config.put("bootstrap.servers", broker.bootstrapServers());
    config.put("application.id", applicationId);
    config.put("upcall.topics.prefix", "secure.");
    config.put("upcall.topics.partitions", 4);
    config.put("replication.factor", 1);
    config.put("processing.guarantee", StreamsConfig.EXACTLY_ONCE_V2);
    config.put("state.dir", stateDir.toString());
    config.put("upcall.http.port", -1);
    app = UpcallStreamsApp.start(new UpcallStreamsConfig(config));
    assertThat(app.awaitRunning(Duration.ofSeconds(90)))
        .as("the streams app RUNNING with its own grants")
        .isTrue();
  }

  @AfterAll
  static void closeAndCheckTheLogsForSecrets() {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      broker.close();
    }
    String logs = LOGS.toString(StandardCharsets.UTF_8);
    assertThat(logs)
        .as("INFO logs were captured (Kafka's config dumps)")
        .contains("sasl.jaas.config = [hidden]");
    PASSWORDS.forEach(
        (user, password) ->
            assertThat(logs).as("the logs name %s's password", user).doesNotContain(password));
  }

  @Test
  void withEachRolesOwnAclsABricksChangeReachesTheClientsCache(TestReporter reporter)
      throws Exception {
    Gfid file = Gfids.of(UUID.randomUUID());
    Set<String> heard = ConcurrentHashMap.newKeySet();
    MetadataCache cache = MetadataCache.builder().build();
    try (Probe brick = new Probe(brickPublisher("brick").build());
        UpcallClient client =
            UpcallClient.builder()
                .bootstrapServers(broker.bootstrapServers())
                .topics(topics)
                .uid("secure-client-" + UUID.randomUUID())
                .cache(cache)
                .kafkaProperties(login("client"))
                .listener(told -> heard.add(told.getCauseFopId()))
                .build()) {
      assertThat(client.awaitReady(Duration.ofSeconds(60))).as("client ready").isTrue();
      Eventually.within(Duration.ofSeconds(30), "client fresh", cache::isFresh);
      FetchToken token = cache.beginFetch(file);
      brick.stat(client.uid(), file).join();
      assertThat(cache.putStat(token, Probe.stat(1, 100))).isTrue();

      Probe.Published write = brick.write("another-client", file, 4_096);

      Eventually.within(
          Duration.ofSeconds(30),
          "the client hears of the write and drops its stale stat",
          () ->
              heard.contains(write.fopId())
                  && cache.stat(file).map(Iatt::getSize).filter(s -> s == 4_096).isPresent());
      int acls =
          UpcallAcls.brick("", topics).size()
              + UpcallAcls.client("", topics).size()
              + UpcallAcls.streams("", topics, applicationId).size();
      reporter.publishEntry(
          "security: brick -> streams -> client works with the roles' ACLs only", acls + " ACLs");
    }
  }

  @Test
  void aPrincipalWithoutTheWriteAclIsRefusedNamingTheTopic() {
    for (String user : List.of("client", "intruder")) {
      try (BrickPublisher publisher = brickPublisher(user).build();
          Probe probe = new Probe(publisher)) {
        assertThatThrownBy(() -> probe.write("c", Gfids.of(UUID.randomUUID()), 1))
            .as("%s publishing fops", user)
            .isInstanceOf(CompletionException.class)
            .cause()
            .isInstanceOf(PublishException.class)
            .hasMessageStartingWith("not authorized to write topic " + topics.fops())
            .hasRootCauseInstanceOf(TopicAuthorizationException.class);
      }
    }
  }

  @Test
  void aClientCannotReadTheFopsAndAWrongPasswordCannotLogIn() {
    try (KafkaConsumer<byte[], byte[]> snoop = consumer(login("client"))) {
      snoop.assign(List.of(new TopicPartition(topics.fops(), 0)));
      assertThatThrownBy(() -> snoop.poll(Duration.ofSeconds(10)))
          .isInstanceOf(TopicAuthorizationException.class)
          .hasMessageContaining(topics.fops());
    }
    Map<String, Object> wrong =
        new HashMap<>(EmbeddedKafkaBroker.scramClientProperties("brick", "guessed"));
    try (BrickPublisher publisher =
            BrickPublisher.builder()
                .bootstrapServers(broker.bootstrapServers())
                .topics(topics)
                .volume("vol")
                .brick("guessing-brick")
                .properties(wrong)
                .heartbeatInterval(Duration.ZERO)
                .maxBlock(Duration.ofSeconds(10))
                .build();
        Probe probe = new Probe(publisher)) {
      assertThatThrownBy(() -> probe.write("c", Gfids.of(UUID.randomUUID()), 1))
          .cause()
          .isInstanceOf(PublishException.class)
          .hasMessageStartingWith("authentication with the broker failed")
          .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void tlsSettingsPassThroughTheStreamsConfigUntouched() {
    Map<String, Object> tls =
        Map.of(
            "security.protocol",
            "SSL",
            "ssl.truststore.location",
            "/etc/upcall/trust.p12",
            "ssl.truststore.password",
            "trust-secret",
            "ssl.keystore.location",
            "/etc/upcall/streams.p12");
    Map<String, Object> config = new HashMap<>(tls);
    config.put("bootstrap.servers", "kafka:9093");
    assertThat(new UpcallStreamsConfig(config).streamsProperties()).containsAllEntriesOf(tls);
  }

  private static Map<String, Object> login(String user) {
    return EmbeddedKafkaBroker.scramClientProperties(user, PASSWORDS.get(user));
  }

  private static BrickPublisher.Builder brickPublisher(String user) {
    return BrickPublisher.builder()
        .bootstrapServers(broker.bootstrapServers())
        .topics(topics)
        .volume("vol")
        .brick(user + "-brick")
        .properties(login(user))
        .heartbeatInterval(Duration.ofMillis(100))
        .maxBlock(Duration.ofSeconds(10))
        .deliveryTimeout(Duration.ofSeconds(20));
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> login) {
    Map<String, Object> config = new HashMap<>(login);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Copies what is written to the console into {@link #LOGS}. */
  private static final class Tee extends OutputStream {
    private final PrintStream console;

    Tee(PrintStream console) {
      this.console = console;
    }

    @Override
    public void write(int b) {
      console.write(b);
      synchronized (LOGS) {
        LOGS.write(b);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      console.write(bytes, offset, length);
      synchronized (LOGS) {
        LOGS.write(bytes, offset, length);
      }
    }
  }
}
