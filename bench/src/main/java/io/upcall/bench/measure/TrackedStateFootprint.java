package io.upcall.bench.measure;

import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.InodeKeys;
import io.upcall.streams.Switches;
import io.upcall.streams.TrackedPairs;
import io.upcall.streams.UpcallProcessor;
import io.upcall.streams.UpcallTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Measures what tracked (inode, client) pairs cost: RocksDB bytes on disk per pair, the heap an in-memory store
 * would need instead, and the expiry punctuation's cost over 1 M pairs. Run it from the built launcher:
 * {@code java -Xmx2g -cp cli/target/upcall.jar io.upcall.bench.measure.TrackedStateFootprint [pairs]
 * [clientsPerInode]}.
 */
public final class TrackedStateFootprint {
  private TrackedStateFootprint() {}

  // StateStore.flush: the one way to put the memtable on disk before measuring it; and the handler
  // option below
  @SuppressWarnings("deprecation")
  public static void main(String[] args) throws IOException {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int clientsPerInode = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long start = 1_700_000_000_000L;
    Path stateDir = Files.createTempDirectory("upcall-footprint");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "footprint");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // What the app sets too: Kafka 5.0's default, without which 4.x warns.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    Duration interval = Duration.ofSeconds(10);
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            UpcallTopology.build(UpcallTopics.defaults(), Switches.DEFAULTS, interval),
            props,
            Instant.ofEpochMilli(start))) {
      KeyValueStore<Bytes, Long> tracked =
          driver.getKeyValueStore(UpcallProcessor.TRACKED_CLIENTS_STORE);
      TrackedPairs pairsStore =
          TrackedPairs.of(
              tracked,
              driver.getKeyValueStore(UpcallProcessor.ACCESS_ORDER_STORE),
              driver.getKeyValueStore(TrackedPairs.JOURNAL_STORE),
              Long.MAX_VALUE);
      // What an in-memory store would hold on the heap (InMemoryKeyValueStore is a TreeMap<Bytes,
      // byte[]>).
      long heapBefore = usedHeap();
      TreeMap<Bytes, byte[]> inMemory = new TreeMap<>();
      fill(pairs, clientsPerInode, key -> inMemory.put(key, new byte[8]));
      long heapInMemory = usedHeap() - heapBefore;
      System.out.printf(
          "in-memory store equivalent: %.0f bytes/pair of heap%n", (double) heapInMemory / pairs);
      inMemory.clear();

      long fillStart = System.nanoTime();
      fill(
          pairs,
          clientsPerInode,
          key -> tracked.put(key, start / 1000)); // as TrackedPairs.put writes a pair
      long fillNanos = System.nanoTime() - fillStart;
      tracked.flush(); // the memtable to SST files, so the disk figure counts every pair
      System.out.printf(
          "pairs=%d clients/inode=%d fill=%.1f s (%.2f us/put through the metered, cached, logged "
              + "RocksDB store)%n",
          pairs, clientsPerInode, fillNanos / 1e9, fillNanos / 1e3 / pairs);

      long disk = directorySize(stateDir);
      System.out.printf(
          "RocksDB after flush: %.1f MB on disk, %.1f bytes/pair (key ~%d bytes + 8 value)%n",
          disk / 1e6, (double) disk / pairs, 16 + 45);

      // Let the driver take in the changelog records of the fill first: its own bookkeeping is not
      // ours to time.
      driver.advanceWallClockTime(Duration.ofMillis(1));

      // The punctuator's sweep, called as the punctuator calls it, on the driver's (metered,
      // cached, logged) store.
      long now = start / 1000;
      time(
          "sweep, nothing expired",
          pairs,
          () -> pairsStore.sweep(lastAccess -> now - lastAccess > 120),
          pairsStore);
      long later = now + 3 * 60;
      time(
          "sweep, everything expired (a delete and a changelog tombstone each)",
          pairs,
          () -> pairsStore.sweep(lastAccess -> later - lastAccess > 120),
          pairsStore);
      long left = 0;
      try (var all = tracked.all()) {
        while (all.hasNext()) {
          all.next();
          left++;
        }
      }
      System.out.printf("left after expiry: %d%n", left);
    } finally {
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private static void time(String what, int pairs, Runnable punctuation, TrackedPairs sweep) {
    long total = 0;
    List<Long> took = new ArrayList<>();
    do {
      long t0 = System.nanoTime();
      punctuation.run();
      took.add(System.nanoTime() - t0);
      total += took.get(took.size() - 1);
    } while (!sweep.sweptWholeStore());
    took.sort(null);
    System.out.printf(
        "%s: %d punctuations (budget %d ms), %.0f ms for all %d pairs (%.0f ns/pair); punctuation "
            + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        what,
        took.size(),
        TrackedPairs.sweepBudget().toMillis(),
        total / 1e6,
        pairs,
        (double) total / pairs,
        took.get(took.size() / 2) / 1e6,
        took.get((int) (took.size() * 0.99)) / 1e6,
        took.get(took.size() - 1) / 1e6);
  }

  private static void fill(int pairs, int clientsPerInode, Consumer<Bytes> put) {
    Random random = new Random(1);
    byte[] gfid = new byte[16];
    for (int i = 0; i < pairs; i++) {
      if (i % clientsPerInode == 0) {
        random.nextBytes(gfid);
      }
      // A GlusterFS-style uid: host, pid, volume client name, reconnect counter (~45 characters).
      String uid =
          "node-"
              + (i % clientsPerInode)
              + ".example.com-"
              + (10_000 + i % 977)
              + "-vol1-client-0-0-0";
      put.accept(InodeKeys.of(gfid, uid));
    }
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static long directorySize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
    }
  }
}
