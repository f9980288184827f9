package io.upcall.client;

import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Utils;

/**
 * The whole pipeline on an embedded broker: one brick publishing fops and heartbeats, the streams app deciding,
 * and clients built against the same topics. Each instance uses its own topics and application id.
 */
final class Pipeline implements AutoCloseable {
  static final int PARTITIONS = 4;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final EmbeddedKafkaBroker broker;
  private final UpcallTopics topics;
  private final Map<String, Object> streamsProps = new HashMap<>();
  private final BrickPublisher brick;
  private final Path stateDir;
  private UpcallStreamsApp streams;

  Pipeline(EmbeddedKafkaBroker broker) throws InterruptedException {
    this.broker = broker;
    String name = "e2e-" + SEQUENCE.incrementAndGet() + "-" + ProcessHandle.current().pid();
    this.topics = UpcallTopics.withPrefix(name + ".");
    streamsProps.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    streamsProps.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, name);
    streamsProps.put(UpcallTopics.PREFIX_CONFIG, name + ".");
    streamsProps.put("upcall.topics.partitions", Integer.toString(PARTITIONS));
    streamsProps.put(UpcallStreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    streamsProps.put("upcall.progress.interval.ms", 100);
    try {
      stateDir = Files.createTempDirectory(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    streamsProps.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    startStreams();
    this.brick =
        BrickPublisher.builder()
            .bootstrapServers(broker.bootstrapServers())
            .volume("vol")
            .brick("brick-1")
            .topics(topics)
            .heartbeatInterval(Duration.ofMillis(100))
            .build();
  }

  UpcallTopics topics() {
    return topics;
  }

  BrickPublisher brick() {
    return brick;
  }

  EmbeddedKafkaBroker broker() {
    return broker;
  }

  /** A client of this pipeline with a fresh cache; the caller closes it. */
  UpcallClient.Builder client(String uid) {
    return UpcallClient.builder()
        .bootstrapServers(broker.bootstrapServers())
        .uid(uid)
        .topics(topics)
        .cache(MetadataCache.builder().build());
  }

  void startStreams() throws InterruptedException {
    streams = UpcallStreamsApp.start(new UpcallStreamsConfig(streamsProps));
    if (!streams.awaitRunning(Duration.ofSeconds(60))) {
      throw new IllegalStateException("the streams app did not reach RUNNING");
    }
  }

  void stopStreams() {
    if (streams != null) {
      streams.close();
      streams = null;
    }
  }

  @Override
  public void close() {
    brick.close(Duration.ofSeconds(5));
    stopStreams();
    try {
      Utils.delete(stateDir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
