package io.upcall.streams.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reads of the tracked-clients store on the production topology's RocksDB store. */
class TrackedScansTest {
  private static final long SECOND = 1_700_000_000L;
  private static final Gfid A = Gfids.of(new UUID(1, 1));
  private static final Gfid B = Gfids.of(new UUID(1, 2));
  private static final Gfid C = Gfids.of(new UUID(1, 3));

  @Test
  void anInodesClientsAreJudgedFreshAtTheGivenSecond() {
    try (TrackedStore tracked = new TrackedStore()) {
      tracked.put(A.bytes(), "old", SECOND - 60);
      tracked.put(A.bytes(), "recent", SECOND - 59);
      tracked.put(B.bytes(), "other", SECOND);

      List<InodeState.TrackedClient> clients =
          TrackedScans.ofInode(
              tracked.store(), A.bytes(), FreshAt.of(FreshAt.AT, SECOND * 1000), 60);

      assertThat(clients)
          .containsExactly(
              new InodeState.TrackedClient("old", SECOND - 60, "2023-11-14T22:12:20Z", false),
              new InodeState.TrackedClient("recent", SECOND - 59, "2023-11-14T22:12:21Z", true));
    }
  }

  @Test
  void aClientsEntriesAreFoundByTheWholeUidOnly() {
    try (TrackedStore tracked = new TrackedStore()) {
      tracked.put(A.bytes(), "alice", SECOND);
      tracked.put(B.bytes(), "alice2", SECOND);
      tracked.put(B.bytes(), "bob", SECOND);
      tracked.put(C.bytes(), "alice", SECOND - 1);

      TrackedScans.ClientScan scan = TrackedScans.forClient(tracked.store(), "alice");

      assertThat(scan.scanned()).isEqualTo(4);
      assertThat(scan.entries())
          .extracting(
              entry -> Gfids.format(new Gfid(entry.gfid())),
              TrackedScans.ClientEntry::lastAccessSecond)
          .containsExactly(tuple(Gfids.format(A), SECOND), tuple(Gfids.format(C), SECOND - 1));
    }
  }

  @Test
  void countsTellInodesFromPairs() {
    try (TrackedStore tracked = new TrackedStore()) {
      tracked.put(A.bytes(), "a", SECOND);
      tracked.put(A.bytes(), "b", SECOND - 100);
      tracked.put(B.bytes(), "a", SECOND);
      tracked.put(C.bytes(), "c", SECOND - 100);

      TrackedScans.Counts counts =
          TrackedScans.count(tracked.store(), FreshAt.of(FreshAt.NOW, SECOND * 1000), 60);

      assertThat(counts).isEqualTo(new TrackedScans.Counts(3, 4, 2));
    }
  }
}
