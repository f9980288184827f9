package io.upcall.streams.ops;

import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import java.util.Random;
import java.util.UUID;

/**
 * Measures what {@code GET /clients/{uid}} costs without an index (a full scan of the tracked-clients store), and
 * what an index would add instead (one more put per touch, as a tracked-clients put costs). Not a test; run it by
 * hand: {@code java -Xmx2g -cp <test classpath> io.upcall.streams.ops.ClientScanCost [pairs] [clientsPerInode]}.
 */
public final class ClientScanCost {
  private static final long SECOND = 1_700_000_000L;

  private ClientScanCost() {}

  public static void main(String[] args) {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int clientsPerInode = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int clients = 1_000;
    Random random = new Random(42);
    try (TrackedStore tracked = new TrackedStore()) {
      long fillStart = System.nanoTime();
      for (int i = 0; i < pairs / clientsPerInode; i++) {
        byte[] gfid = Gfids.of(new UUID(random.nextLong(), random.nextLong())).bytes();
        for (int c = 0; c < clientsPerInode; c++) {
          tracked.put(gfid, "host-" + random.nextInt(clients) + ":vol-client-0-RECON_NO:-0", SECOND);
        }
      }
      long putNanos = (System.nanoTime() - fillStart) / pairs;
      FreshAt now = FreshAt.of(FreshAt.AT, SECOND * 1000);
      for (int round = 1; round <= 3; round++) {
        long scanStart = System.nanoTime();
        TrackedScans.ClientScan scan = TrackedScans.forClient(tracked.store(), "host-7:vol-client-0-RECON_NO:-0");
        long scanNanos = System.nanoTime() - scanStart;
        long countStart = System.nanoTime();
        TrackedScans.Counts counts = TrackedScans.count(tracked.store(), now, 60);
        long countNanos = System.nanoTime() - countStart;
        Gfid some = Gfids.of(new UUID(1, 1));
        long prefixStart = System.nanoTime();
        int prefixRounds = 10_000;
        for (int i = 0; i < prefixRounds; i++) {
          TrackedScans.ofInode(tracked.store(), some.bytes(), now, 60);
        }
        long prefixNanos = (System.nanoTime() - prefixStart) / prefixRounds;
        System.out.printf("round %d: pairs=%d inodes=%d; /clients scan %.0f ms (%.2f us/entry, found %d); "
            + "/stats count %.0f ms; /inodes prefix scan %.1f us; a put (what an index adds per touch) %.2f us%n",
            round, scan.scanned(), counts.inodes(), scanNanos / 1e6, scanNanos / 1e3 / scan.scanned(),
            scan.entries().size(), countNanos / 1e6, prefixNanos / 1e3, putNanos / 1e3);
      }
    }
  }
}
