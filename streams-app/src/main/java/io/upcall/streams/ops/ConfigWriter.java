package io.upcall.streams.ops;

import io.upcall.avro.ConfigChange;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.streams.Switches;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code POST /config} from the console: validates a switch change as every instance will, then writes it to the
 * upcall.config topic as {@code upcall config set} does; every instance applies it from there. Refused (403) unless
 * {@value HttpSettings#ALLOW_CONFIG_CHANGES_CONFIG} is true on the instance asked.
 */
final class ConfigWriter implements AutoCloseable {
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

  private final boolean allowed;
  private final String topic;
  private final Map<String, Object> producerConfigs;
  private final String instance;
  private KafkaProducer<String, ConfigChange> producer;

  ConfigWriter(boolean allowed, TopicAccess access, String instance) {
    this.allowed = allowed;
    this.topic = access.topics().config();
    this.producerConfigs = access.producerConfigs();
    this.instance = instance;
  }

  boolean allowed() {
    return allowed;
  }

  String topic() {
    return topic;
  }

  /** Writes the change in {@code body} (JSON: option, value); the remote address names who asked. */
  Reply post(byte[] body, String contentType, String remote) {
    if (!allowed) {
      throw new HttpProblem(
          403,
          "changing switches from the console is off on this instance: start it with "
              + HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG
              + "=true, or use `upcall config set OPTION VALUE`");
    }
    // A browser sends a cross-site form only as a "simple" content type; JSON needs a preflight we
    // never grant.
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new HttpProblem(
          415,
          "POST /config takes a JSON body {\"option\": …, \"value\": …} "
              + "with Content-Type: application/json");
    }
    SwitchChange asked;
    try {
      asked = Reply.MAPPER.readValue(body, SwitchChange.class);
    } catch (IOException e) {
      throw new HttpProblem(
          400, "POST /config takes a JSON body {\"option\": …, \"value\": …}: " + e.getMessage());
    }
    if (asked.option() == null || asked.value() == null) {
      throw new HttpProblem(400, "POST /config needs both option and value");
    }
    String canonical;
    try {
      canonical = Switches.canonical(asked.option(), asked.value());
    } catch (IllegalArgumentException e) {
      throw new HttpProblem(400, e.getMessage());
    }
    ConfigChange change =
        new ConfigChange(
            asked.option(),
            canonical,
            "console at " + instance + " (from " + remote + ")",
            System.currentTimeMillis());
    RecordMetadata written;
    try {
      written =
          producer()
              .send(new ProducerRecord<>(topic, asked.option(), change))
              .get(KAFKA_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpProblem(503, "interrupted while writing to " + topic);
    } catch (ExecutionException | TimeoutException e) {
      throw new HttpProblem(503, "could not write to " + topic + ": " + Peers.describe(e));
    }
    return Reply.json(202, new SwitchChange(asked.option(), canonical, topic, written.offset()));
  }

  private synchronized KafkaProducer<String, ConfigChange> producer() {
    if (producer == null) {
      Map<String, Object> properties = new HashMap<>(producerConfigs);
      properties.put(ProducerConfig.ACKS_CONFIG, "all");
      properties.put(ProducerConfig.CLIENT_ID_CONFIG, "upcall-console-config");
      properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis());
      properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis());
      properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis() / 2);
      properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      properties.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
      producer =
          new KafkaProducer<>(
              properties, new StringSerializer(), UpcallSerdes.configChange().serializer());
    }
    return producer;
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
  }
}
