package io.upcall.streams;

import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.streams.ops.HttpSettings;
import io.upcall.streams.ops.OpsServer;
import io.upcall.streams.ops.TopicAccess;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * The running streams application: ensures Upcall's topics, then runs the {@link UpcallTopology} on
 * {@link KafkaStreams}. Closing it leaves the group cleanly so another instance takes the tasks over at once.
 */
public final class UpcallStreamsApp implements AutoCloseable {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final Switches startup;
  private final OpsServer ops;
  private final Object stateChanged = new Object();

  private UpcallStreamsApp(KafkaStreams streams, Switches startup, OpsServer ops) {
    this.streams = streams;
    this.startup = startup;
    this.ops = ops;
  }

  /**
   * Ensures the topics (creating missing ones, aligning configs), then starts the application; returns at once,
   * see {@link #awaitRunning}.
   *
   * @throws org.apache.kafka.common.KafkaException naming the topic when the cluster refuses a topic
   */
  public static UpcallStreamsApp start(UpcallStreamsConfig config) {
    StreamsConfig streamsConfig = new StreamsConfig(config.streamsProperties());
    Map<String, Object> adminConfigs =
        streamsConfig.getAdminConfigs("upcall-streams-ensure-topics");
    int fopsPartitions;
    try (Admin admin = Admin.create(adminConfigs)) {
      TopicEnsurer.ensure(admin, config.topics(), config.topicSettings());
      fopsPartitions = partitionsOf(admin, config.topics().fops());
    }
    HttpSettings http = HttpSettings.from(config);
    OpsServer ops = http.enabled() ? OpsServer.bind(http) : null;
    try {
      if (ops != null) {
        // Other instances route queries here by application.server; with port 0 the port is known
        // only once bound.
        Properties properties = config.streamsProperties();
        properties.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, ops.applicationServer());
        streamsConfig = new StreamsConfig(properties);
      }
      KafkaStreams streams =
          new KafkaStreams(UpcallTopology.build(config, fopsPartitions), streamsConfig);
      UpcallStreamsApp app = new UpcallStreamsApp(streams, config.switches(), ops);
      streams.setStateListener(
          (now, before) -> {
            synchronized (app.stateChanged) {
              app.stateChanged.notifyAll();
            }
          });
      if (ops != null) {
        ops.serve(
            streams,
            HostInfo.buildFromEndpoint(
                streamsConfig.getString(StreamsConfig.APPLICATION_SERVER_CONFIG)),
            app.startup,
            app::appliedSwitches,
            new TopicAccess(config.topics(), streamsConfig.getProducerConfigs("upcall-console")));
      }
      streams.start();
      return app;
    } catch (RuntimeException e) {
      if (ops != null) {
        ops.close();
      }
      throw e;
    }
  }

  /** The switches this instance applies now: its start-up values, overridden by the upcall.config topic. */
  public Switches appliedSwitches() {
    return ConfigChangeProcessor.current(
        streams.store(
            StoreQueryParameters.fromNameAndType(
                ConfigChangeProcessor.SWITCHES_STORE,
                QueryableStoreTypes.<String, String>keyValueStore())),
        startup);
  }

  /** The operator HTTP endpoint, e.g. {@code http://streams-1:8080}; empty when upcall.http.port is -1. */
  public Optional<URI> operatorEndpoint() {
    return Optional.ofNullable(ops).map(OpsServer::uri);
  }

  /** The progress marks claim a task count: the partitions upcall.fops really has, which may differ from the settings. */
  private static int partitionsOf(Admin admin, String topic) {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .get(topic)
          .partitions()
          .size();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("cannot describe " + topic + ": " + e.getMessage(), e);
    }
  }

  /** The KafkaStreams state: CREATED, REBALANCING, RUNNING, PENDING_SHUTDOWN, NOT_RUNNING or ERROR. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The running KafkaStreams, for interactive queries over the stores and for metrics. */
  public KafkaStreams streams() {
    return streams;
  }

  /**
   * Waits until the application is RUNNING (it has its tasks and restored their state).
   *
   * @return false when {@code timeout} passed first
   * @throws IllegalStateException when the application stopped or failed instead
   */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (stateChanged) {
      while (true) {
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.RUNNING) {
          return true;
        }
        if (state == KafkaStreams.State.ERROR
            || state == KafkaStreams.State.NOT_RUNNING
            || state == KafkaStreams.State.PENDING_SHUTDOWN
            || state == KafkaStreams.State.PENDING_ERROR) {
          throw new IllegalStateException("the upcall streams application stopped: " + state);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        stateChanged.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** Stops processing, commits, and leaves the consumer group so the tasks move at once; then the operator endpoint. */
  @Override
  public void close() {
    streams.close(
        CloseOptions.timeout(CLOSE_TIMEOUT)
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    if (ops != null) {
      ops.close();
    }
  }
}
