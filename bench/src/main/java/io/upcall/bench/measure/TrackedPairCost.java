package io.upcall.bench.measure;

import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.Switches;
import io.upcall.streams.TrackedPairs;
import io.upcall.streams.UpcallProcessor;
import io.upcall.streams.UpcallTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Measures what one tracked pair costs with its access-order entry (max-tracked-pairs): RocksDB bytes on disk for
 * both stores, and the time of a touch that adds a pair, with and without an eviction. Run it from the built
 * launcher: {@code java -cp cli/target/upcall.jar io.upcall.bench.measure.TrackedPairCost [pairs]}.
 */
public final class TrackedPairCost {
  private TrackedPairCost() {}

  // StateStore.flush: the one way to put the memtable on disk before measuring it; and the handler
  // option below
  @SuppressWarnings("deprecation")
  public static void main(String[] args) throws IOException {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long start = 1_700_000_000_000L;
    Path stateDir = Files.createTempDirectory("upcall-pair-cost");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pair-cost");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // What the app sets too: Kafka 5.0's default, without which 4.x warns.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            UpcallTopology.build(
                UpcallTopics.defaults(), Switches.DEFAULTS, Duration.ofSeconds(10)),
            props,
            Instant.ofEpochMilli(start))) {
      KeyValueStore<Bytes, Long> store =
          driver.getKeyValueStore(UpcallProcessor.TRACKED_CLIENTS_STORE);
      KeyValueStore<Bytes, byte[]> order =
          driver.getKeyValueStore(UpcallProcessor.ACCESS_ORDER_STORE);
      TrackedPairs tracked =
          TrackedPairs.of(store, order, driver.getKeyValueStore(TrackedPairs.JOURNAL_STORE), pairs);
      long fill = fill(tracked, pairs, 0, start / 1000);
      store.flush();
      order.flush();
      long disk = directorySize(stateDir);
      System.out.printf(
          "%d pairs: %.2f us per new pair (pair + order entry + journal entry), %.1f MB on disk, "
              + "%.1f bytes/pair for both stores%n",
          pairs, fill / 1e3 / pairs, disk / 1e6, (double) disk / pairs);
      long evicting = fill(tracked, pairs / 10, pairs, start / 1000 + 1);
      System.out.printf(
          "%d more pairs past the bound: %.2f us per new pair with one eviction each; %d tracked%n",
          pairs / 10, evicting / 1e3 / (pairs / 10), tracked.size());
    } finally {
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private static long fill(TrackedPairs tracked, int pairs, int offset, long second) {
    Random random = new Random(offset);
    byte[] gfid = new byte[16];
    long t0 = System.nanoTime();
    for (int i = 0; i < pairs; i++) {
      if (i % 10 == 0) {
        random.nextBytes(gfid);
      }
      // A GlusterFS-style uid, ~45 characters, as TrackedStateFootprint uses.
      String uid =
          "node-"
              + (i % 10)
              + ".example.com-"
              + (10_000 + (offset + i) % 977)
              + "-vol1-client-0-0-0";
      tracked.touch(gfid, uid, second);
    }
    return System.nanoTime() - t0;
  }

  private static long directorySize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
    }
  }
}
