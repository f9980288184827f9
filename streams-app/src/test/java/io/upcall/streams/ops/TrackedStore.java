package io.upcall.streams.ops;

import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.InodeKeys;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallProcessor;
import io.upcall.streams.UpcallTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The production topology's tracked-clients store (RocksDB, metered and logged) on a TopologyTestDriver. */
final class TrackedStore implements AutoCloseable {
  private final Path stateDir;
  private final TopologyTestDriver driver;
  private final KeyValueStore<Bytes, Long> store;

  TrackedStore() {
    try {
      stateDir = Files.createTempDirectory("upcall-tracked");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tracked-scans");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            UpcallTopology.build(UpcallTopics.defaults(), Switches.DEFAULTS, Duration.ofHours(1)),
            props,
            Instant.ofEpochSecond(1_700_000_000L));
    store = driver.getKeyValueStore(UpcallProcessor.TRACKED_CLIENTS_STORE);
  }

  KeyValueStore<Bytes, Long> store() {
    return store;
  }

  /** touch(gfid, client) at {@code second}, as the processor writes it. */
  void put(byte[] gfid, String client, long second) {
    store.put(InodeKeys.of(gfid, client), second);
  }

  @Override
  public void close() {
    driver.close();
    try {
      Utils.delete(stateDir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
