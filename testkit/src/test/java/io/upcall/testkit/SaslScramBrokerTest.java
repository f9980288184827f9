package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SaslScramBrokerTest {
  private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startSecuredBroker() {
    broker = EmbeddedKafkaBroker.builder().saslScram("admin", ADMIN_PASSWORD).build().start();
    broker.createTopics(1, "secured");
  }

  @AfterAll
  static void closeBroker() {
    broker.close();
  }

  @Test
  void aUserWritesOnlyWhereAnAclAllowsIt() throws Exception {
    String password = "writer-" + UUID.randomUUID();
    broker.upsertScramUser("writer", password);
    broker.createTopics(1, "not-granted");
    try (Admin admin = Admin.create(broker.adminProperties())) {
      admin
          .createAcls(
              List.of(
                  new AclBinding(
                      new ResourcePattern(ResourceType.TOPIC, "secured", PatternType.LITERAL),
                      new AccessControlEntry(
                          "User:writer", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer = producer("writer", password)) {
      assertThat(
              producer
                  .send(new ProducerRecord<>("secured", "k", "v"))
                  .get(30, TimeUnit.SECONDS)
                  .topic())
          .isEqualTo("secured");
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>("not-granted", "k", "v"))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void aWrongPasswordIsRefusedAtLogin() {
    try (KafkaProducer<String, String> producer = producer("admin", "not-the-password")) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>("secured", "k", "v"))
                      .get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void adminPropertiesLogInAsTheSuperUserWithoutAPlaintextListener() {
    assertThat(broker.adminProperties())
        .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    assertThat(broker.toString()).doesNotContain(ADMIN_PASSWORD);
  }

  private static KafkaProducer<String, String> producer(String user, String password) {
    Map<String, Object> config =
        new HashMap<>(EmbeddedKafkaBroker.scramClientProperties(user, password));
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }
}
