package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The tracked pairs a task rebuilds from its journal are the pairs it tracked: touches, untracks and evictions in any
 * mix, across many segments, after expiry dropped old segments and compaction rewrote the oldest.
 */
class TrackingJournalTest {
  private static final int GFIDS = 40;
  private static final int CLIENTS = 25;

  private final KeyValueStore<Long, byte[]> journal =
      store("journal", Serdes.Long(), Serdes.ByteArray());

  private static <K, V> KeyValueStore<K, V> store(String name, Serde<K> keys, Serde<V> values) {
    KeyValueStore<K, V> store =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
            .withLoggingDisabled()
            .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }

  private TrackedClients tracked(
      KeyValueStore<Bytes, Long> pairs, long maxPairs, long cutoffSecond) {
    return new TrackedClients(
        pairs,
        new StoredAccessOrder(store("order", Serdes.Bytes(), Serdes.ByteArray())),
        new TrackingJournal(journal),
        maxPairs,
        cutoffSecond);
  }

  private static Map<Bytes, Long> contents(KeyValueStore<Bytes, Long> store) {
    Map<Bytes, Long> contents = new TreeMap<>();
    try (KeyValueIterator<Bytes, Long> all = store.all()) {
      all.forEachRemaining(
          entry -> {
            if (TrackedClients.isPair(entry.key)) {
              contents.put(entry.key, entry.value);
            }
          });
    }
    return contents;
  }

  private static byte[] gfid(int n) {
    byte[] gfid = new byte[InodeKeys.GFID_LENGTH];
    gfid[0] = (byte) n;
    gfid[15] = 7;
    return gfid;
  }

  /** Random touches (some late), forgets and evictions, persisted after each "record" as the processor does. */
  private static void randomWork(
      TrackedClients tracked, Random random, int records, long firstSecond) {
    long second = firstSecond;
    for (int i = 0; i < records; i++) {
      second += random.nextInt(3) == 0 ? 1 : 0;
      byte[] gfid = gfid(random.nextInt(GFIDS));
      if (random.nextInt(20) == 0) {
        List<TrackedClients.Tracked> all = tracked.of(gfid);
        tracked.untrack(all.subList(0, all.size() / 2));
      } else {
        tracked.touch(gfid, "client-" + random.nextInt(CLIENTS), second - random.nextInt(4));
      }
      tracked.persist();
    }
  }

  @Test
  void aRestartedTaskTracksExactlyThePairsItTracked() {
    KeyValueStore<Bytes, Long> pairs = store("pairs", Serdes.Bytes(), Serdes.Long());
    TrackedClients before = tracked(pairs, 600, Long.MIN_VALUE);
    randomWork(before, new Random(1), 20_000, 1_000);
    Map<Bytes, Long> tracked = contents(pairs);
    assertThat(tracked).hasSizeBetween(100, 600);

    // A new owner's pairs store holds nothing: it is rebuilt from the journal.
    KeyValueStore<Bytes, Long> fresh = store("fresh", Serdes.Bytes(), Serdes.Long());
    TrackedClients rebuilt = tracked(fresh, 600, Long.MIN_VALUE);
    assertThat(contents(fresh)).isEqualTo(tracked);
    assertThat(rebuilt.size()).isEqualTo(before.size());
    // The same owner, restarted cleanly: its pairs note the journal's end, so they are kept as they
    // are.
    TrackedClients restarted = tracked(pairs, 600, Long.MIN_VALUE);
    assertThat(contents(pairs)).isEqualTo(tracked);
    assertThat(restarted.size()).isEqualTo(before.size());
  }

  @Test
  void pairsBehindTheJournalAreRebuilt() {
    KeyValueStore<Bytes, Long> pairs = store("pairs", Serdes.Bytes(), Serdes.Long());
    TrackedClients owner = tracked(pairs, 600, Long.MIN_VALUE);
    Random random = new Random(4);
    randomWork(owner, random, 5_000, 1_000);
    // What an owner keeps when the task moves away: its pairs as they were then, noting the
    // journal's end then.
    KeyValueStore<Bytes, Long> leftBehind = store("left-behind", Serdes.Bytes(), Serdes.Long());
    try (KeyValueIterator<Bytes, Long> all = pairs.all()) {
      all.forEachRemaining(entry -> leftBehind.put(entry.key, entry.value));
    }
    randomWork(owner, random, 5_000, 3_000); // the next owner goes on with the same journal
    Map<Bytes, Long> now = contents(pairs);
    assertThat(contents(leftBehind)).isNotEqualTo(now);

    tracked(leftBehind, 600, Long.MIN_VALUE); // the task comes back
    assertThat(contents(leftBehind)).isEqualTo(now);
  }

  @Test
  void compactionKeepsTheJournalProportionalToThePairsAndLosesNone() {
    KeyValueStore<Bytes, Long> pairs = store("pairs", Serdes.Bytes(), Serdes.Long());
    TrackedClients tracker = tracked(pairs, 10_000, Long.MIN_VALUE);
    TrackingJournal view = new TrackingJournal(journal);
    Random random = new Random(2);
    for (int round = 0; round < 20; round++) {
      randomWork(tracker, random, 5_000, 1_000 + round * 10L);
      tracker.expire(
          Long.MIN_VALUE, Duration.ofSeconds(1), System::nanoTime); // the punctuation: compacts
      tracker.persist();
    }
    view.replay(
        Long.MIN_VALUE,
        new TrackingJournal.Replay() {
          @Override
          public void touched(Bytes key, long second) {}

          @Override
          public void untracked(Bytes key) {}
        });
    // 100,000 touches of at most 1,000 pairs: without compaction the journal would hold them all.
    assertThat(view.entries())
        .isLessThan(2 * tracker.size() + TrackingJournal.SLACK_ENTRIES + 1_000);
    KeyValueStore<Bytes, Long> fresh = store("fresh", Serdes.Bytes(), Serdes.Long());
    tracked(fresh, 10_000, Long.MIN_VALUE);
    assertThat(contents(fresh)).isEqualTo(contents(pairs));
  }

  @Test
  void expiryDropsOldSegmentsWithoutBringingBackWhatWasUntracked() {
    KeyValueStore<Bytes, Long> pairs = store("pairs", Serdes.Bytes(), Serdes.Long());
    TrackedClients tracker = tracked(pairs, 10_000, Long.MIN_VALUE);
    randomWork(tracker, new Random(3), 10_000, 1_000); // seconds ~1,000 to ~4,300
    long cutoff = 3_000;
    tracker.expire(cutoff, Duration.ofSeconds(10), System::nanoTime);
    tracker.persist();
    Map<Bytes, Long> left = contents(pairs);
    assertThat(left.values()).allMatch(second -> second >= cutoff).isNotEmpty();

    KeyValueStore<Bytes, Long> fresh = store("fresh", Serdes.Bytes(), Serdes.Long());
    tracked(fresh, 10_000, cutoff);
    assertThat(contents(fresh)).isEqualTo(left);
  }

  @Test
  void aListingsTouchesCostTheirGfidsAndReadBackWhole() {
    TrackingJournal written = new TrackingJournal(journal);
    String client =
        "CTX_ID:5f0c8a2e-0d3b-4a6e-9a57-1c2d3e4f5a6b-GRAPH_ID:0-PID:4242-HOST:client7-PC_NAME:vol";
    List<Bytes> listed = new ArrayList<>();
    for (int entry = 0; entry < 100; entry++) {
      listed.add(InodeKeys.of(gfid(entry), client));
    }
    written.touched(InodeKeys.of(gfid(200), "other-client"), 1_000);
    listed.forEach(key -> written.touched(key, 1_000)); // one READDIRP: one client, one second
    written.touched(listed.get(0), 1_001); // the next second: a full entry again
    written.untracked(listed.get(1), 1_000);
    written.touched(listed.get(2), 1_001); // after an untrack: a full entry again
    written.persist();

    byte[] segment = journal.get(0L);
    int full = 1 + Long.BYTES + Short.BYTES + listed.get(0).get().length;
    assertThat(segment.length)
        .isEqualTo(
            (1 + Long.BYTES + Short.BYTES + InodeKeys.of(gfid(200), "other-client").get().length)
                + full
                + 99 * (1 + InodeKeys.GFID_LENGTH)
                + 3 * full);
    List<String> read = new ArrayList<>();
    int count =
        TrackingJournal.read(
            segment,
            (kind, key, second) ->
                read.add(
                    (TrackingJournal.untracks(kind) ? "untrack " : "touch ") + key + " " + second));
    List<String> expected = new ArrayList<>();
    expected.add("touch " + InodeKeys.of(gfid(200), "other-client") + " 1000");
    listed.forEach(key -> expected.add("touch " + key + " 1000"));
    expected.add("touch " + listed.get(0) + " 1001");
    expected.add("untrack " + listed.get(1) + " 1000");
    expected.add("touch " + listed.get(2) + " 1001");
    assertThat(count).isEqualTo(104);
    assertThat(read).isEqualTo(expected);
  }
}
