package io.upcall.bench.measure;

import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.InodeKeys;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallProcessor;
import io.upcall.streams.UpcallTopology;
import io.upcall.streams.ops.FreshAt;
import io.upcall.streams.ops.TrackedScans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Measures what {@code GET /clients/{uid}} costs without an index (a full scan of the tracked-clients store), and
 * what an index would add instead (one more put per touch, as a tracked-clients put costs), on the production
 * topology's store (RocksDB, metered and logged) in a TopologyTestDriver. Run it from the built launcher:
 * {@code java -Xmx2g -cp cli/target/upcall.jar io.upcall.bench.measure.ClientScanCost [pairs] [clientsPerInode]}.
 */
public final class ClientScanCost {
  private static final long SECOND = 1_700_000_000L;

  private ClientScanCost() {}

  public static void main(String[] args) throws IOException {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int clientsPerInode = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int clients = 1_000;
    Random random = new Random(42);
    Path stateDir = Files.createTempDirectory("upcall-tracked");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tracked-scans");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            UpcallTopology.build(UpcallTopics.defaults(), Switches.DEFAULTS, Duration.ofHours(1)),
            props,
            Instant.ofEpochSecond(SECOND))) {
      KeyValueStore<Bytes, Long> tracked =
          driver.getKeyValueStore(UpcallProcessor.TRACKED_CLIENTS_STORE);
      long fillStart = System.nanoTime();
      for (int i = 0; i < pairs / clientsPerInode; i++) {
        byte[] gfid = Gfids.of(new UUID(random.nextLong(), random.nextLong())).bytes();
        for (int c = 0; c < clientsPerInode; c++) {
          // touch(gfid, client) as the processor writes it
          tracked.put(
              InodeKeys.of(gfid, "host-" + random.nextInt(clients) + ":vol-client-0-RECON_NO:-0"),
              SECOND);
        }
      }
      long putNanos = (System.nanoTime() - fillStart) / pairs;
      FreshAt now = new FreshAt(FreshAt.AT, SECOND, Instant.ofEpochSecond(SECOND).toString());
      for (int round = 1; round <= 3; round++) {
        long scanStart = System.nanoTime();
        TrackedScans.ClientScan scan =
            TrackedScans.forClient(tracked, "host-7:vol-client-0-RECON_NO:-0");
        long scanNanos = System.nanoTime() - scanStart;
        long countStart = System.nanoTime();
        TrackedScans.Counts counts = TrackedScans.count(tracked, now, 60);
        long countNanos = System.nanoTime() - countStart;
        Gfid some = Gfids.of(new UUID(1, 1));
        long prefixStart = System.nanoTime();
        int prefixRounds = 10_000;
        for (int i = 0; i < prefixRounds; i++) {
          TrackedScans.ofInode(tracked, some.bytes(), now, 60);
        }
        long prefixNanos = (System.nanoTime() - prefixStart) / prefixRounds;
        System.out.printf(
            "round %d: pairs=%d inodes=%d; /clients scan %.0f ms (%.2f us/entry, found %d); "
                + "/stats count %.0f ms; /inodes prefix scan %.1f us; a put (what an index adds per touch) %.2f us%n",
            round,
            scan.scanned(),
            counts.inodes(),
            scanNanos / 1e6,
            scanNanos / 1e3 / scan.scanned(),
            scan.entries().size(),
            countNanos / 1e6,
            prefixNanos / 1e3,
            putNanos / 1e3);
      }
    } finally {
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
