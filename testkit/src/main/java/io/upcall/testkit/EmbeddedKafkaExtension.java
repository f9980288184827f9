package io.upcall.testkit;

import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs an {@link EmbeddedKafkaBroker} for a test class (or, with {@link #shared()}, for the
 * whole test run) and hands out topic and group names no other test uses.
 *
 * <pre>{@code
 * class MyTest {
 *     @RegisterExtension
 *     static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();
 *
 *     @Test
 *     void something() {
 *         UpcallTopics topics = kafka.uniqueTopics();   // created: fops, DLQ, invalidations with 4 partitions
 *         String appId = kafka.uniqueName("streams-app");
 *         ... kafka.bootstrapServers() ...
 *     }
 * }
 * }</pre>
 *
 * <p>Test methods (and lifecycle methods) may also declare an {@link EmbeddedKafkaBroker} parameter.
 */
public final class EmbeddedKafkaExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

  /** Partitions of each topic {@link #uniqueTopics()} creates. */
  public static final int DEFAULT_PARTITIONS = 4;

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);
  private static final String SHARED_BROKER_KEY = "shared-broker";
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final int MAX_TEST_NAME_LENGTH = 100;

  private final boolean shared;
  private final Map<String, String> brokerProperties;

  private volatile EmbeddedKafkaBroker broker;
  private volatile String ownerContextId;
  private volatile String currentTest = "test";

  /** One broker per test class, started before its first test and closed after its last. */
  public EmbeddedKafkaExtension() {
    this(false, Map.of());
  }

  private EmbeddedKafkaExtension(boolean shared, Map<String, String> brokerProperties) {
    this.shared = shared;
    this.brokerProperties = Map.copyOf(brokerProperties);
  }

  /** One broker per test class, with extra broker properties (they override the embedded defaults). */
  public static EmbeddedKafkaExtension withBrokerProperties(Map<String, String> brokerProperties) {
    return new EmbeddedKafkaExtension(
        false, Objects.requireNonNull(brokerProperties, "brokerProperties"));
  }

  /**
   * One broker for every test class in the run that uses {@code shared()}: started on first use and closed when
   * the whole run ends. Faster for many small classes; tests must use unique names (they do with this API) and
   * must not stop or restart it (use a per-class broker to simulate outages).
   */
  public static EmbeddedKafkaExtension shared() {
    return new EmbeddedKafkaExtension(true, Map.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (broker != null) {
      return; // a @Nested class inside the class that started it
    }
    if (shared) {
      broker =
          context
              .getRoot()
              .getStore(NAMESPACE)
              .getOrComputeIfAbsent(
                  SHARED_BROKER_KEY,
                  key -> new EmbeddedKafkaBroker().start(),
                  EmbeddedKafkaBroker.class);
    } else {
      broker = EmbeddedKafkaBroker.builder().brokerProperties(brokerProperties).build().start();
      ownerContextId = context.getUniqueId();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (shared || !context.getUniqueId().equals(ownerContextId)) {
      return; // the shared broker is closed by JUnit with the root context's store
    }
    EmbeddedKafkaBroker closing = broker;
    broker = null;
    ownerContextId = null;
    if (closing != null) {
      closing.close();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    currentTest =
        context.getRequiredTestClass().getSimpleName()
            + context.getTestMethod().map(m -> "-" + m.getName()).orElse("");
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    if (broker == null) {
      throw new ParameterResolutionException(
          "the embedded broker is not running; register "
              + EmbeddedKafkaExtension.class.getSimpleName()
              + " on a static field with @RegisterExtension");
    }
    return broker;
  }

  /** The running broker. */
  public EmbeddedKafkaBroker broker() {
    EmbeddedKafkaBroker running = broker;
    if (running == null) {
      throw new IllegalStateException(
          "the embedded broker is not running: register this extension on a "
              + "static field with @RegisterExtension and call it from a test or @BeforeEach");
    }
    return running;
  }

  /** The broker's {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /** Client properties with {@code bootstrap.servers} set; a fresh mutable map each call. */
  public Map<String, Object> clientProperties() {
    return new HashMap<>(broker().adminProperties());
  }

  /**
   * A name no other call in this JVM returns, built from {@code base} and the current test, e.g.
   * {@code streams-app-MyTest-handlesRename-17}; use it for application ids, group ids and transactional ids.
   */
  public String uniqueName(String base) {
    Objects.requireNonNull(base, "base");
    return sanitize(base + "-" + currentTest) + "-" + SEQUENCE.incrementAndGet();
  }

  /**
   * The Upcall topics under a prefix unique to this call, e.g. {@code t-MyTest-handlesRename-18.upcall.fops},
   * created by {@link TopicEnsurer} with {@value #DEFAULT_PARTITIONS} partitions for the fop, DLQ and invalidation
   * topics (the compacted ones have one) and visible to clients when this returns.
   */
  public UpcallTopics uniqueTopics() {
    return uniqueTopics(DEFAULT_PARTITIONS);
  }

  /** Like {@link #uniqueTopics()}, with {@code partitions} partitions for the fop, DLQ and invalidation topics. */
  public UpcallTopics uniqueTopics(int partitions) {
    UpcallTopics topics = UpcallTopics.withPrefix(uniqueName("t") + ".");
    try (Admin admin = Admin.create(broker().adminProperties())) {
      TopicEnsurer.ensure(admin, topics, TopicSettings.defaults().withPartitions(partitions));
      EmbeddedKafkaBroker.awaitTopics(admin, topics.all());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating " + topics, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return topics;
  }

  private static String sanitize(String name) {
    String legal = name.replaceAll("[^a-zA-Z0-9._-]", "_");
    // Topic names built from it get a suffix like ".upcall.xattr-interest"; Kafka allows 249
    // characters.
    return legal.length() <= MAX_TEST_NAME_LENGTH
        ? legal
        : legal.substring(0, MAX_TEST_NAME_LENGTH);
  }

  @Override
  public String toString() {
    return "EmbeddedKafkaExtension[" + (shared ? "shared" : "per class") + ", " + broker + "]";
  }
}
