package io.upcall.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The tracked clients of every inode of a task: one store entry per (gfid, client uid), keyed by the 16 gfid
 * bytes followed by the uid's UTF-8 bytes, holding the last access second. A notify is a prefix scan of the
 * gfid; a touch by a hot client rewrites one small entry, and only when the second moves on.
 *
 * <p>An {@link AccessOrder} orders the pairs by last access, so the task holds at most
 * {@link TrackingBound#perTask()} pairs: a touch that adds a pair beyond it evicts the least recently accessed
 * ones, and expiry deletes the pairs idle for 2·T oldest first, without scanning the others.
 *
 * <p>Neither the store nor the order keeps a changelog: both are local indexes of the {@link TrackingJournal},
 * rebuilt from it whenever the task starts (the pairs store emptied, the journal replayed into both: a few seconds
 * per million pairs), so the touches of a whole READDIRP, or of a whole commit interval, cost one changelog record
 * instead of one each. An order entry is only a hint: expiry and eviction act on it only while the pair still holds
 * that second, and drop it otherwise, so entries left behind by a replay or a crash do no harm. The count lives in
 * memory, counted after the rebuild.
 */
final class TrackedClients {
  private static final BytesSerializer PREFIX_SERIALIZER = new BytesSerializer();

  private static final int EXPIRY_BATCH = 256;

  /**
   * The key of the pairs store's one entry that is not a pair: the journal position its pairs stand for. The null
   * gfid (all zeros) with no client uid; GlusterFS never gives an inode the null gfid.
   */
  static final Bytes JOURNAL_POSITION = Bytes.wrap(new byte[InodeKeys.GFID_LENGTH]);

  /** Journal segments one expiry may compact: ~150 entries each, a pair lookup per entry. */
  private static final int COMPACTED_PER_EXPIRY = 64;

  /** One tracked client of an inode. */
  record Tracked(String client, long lastAccessSecond, Bytes key) {
    /** The inode's 16 gfid bytes. */
    byte[] gfid() {
      return Arrays.copyOf(key.get(), InodeKeys.GFID_LENGTH);
    }
  }

  private final KeyValueStore<Bytes, Long> store;
  private final AccessOrder byAccess;
  private final TrackingJournal journal;
  private final long maxPairs;
  private long count;

  /** The journal end last written to {@link #JOURNAL_POSITION}. */
  private long notedEnd = Long.MIN_VALUE;

  /**
   * The pairs as {@code journal} holds them, touches before {@code cutoffSecond} left out (expiry would delete them),
   * in {@code store} and {@code byAccess}, whatever those held before.
   */
  TrackedClients(
      KeyValueStore<Bytes, Long> store,
      AccessOrder byAccess,
      TrackingJournal journal,
      long maxPairs,
      long cutoffSecond) {
    this.store = store;
    this.byAccess = byAccess;
    this.journal = journal;
    this.maxPairs = maxPairs;
    Long position = store.get(JOURNAL_POSITION);
    long end = journal.load();
    if (position != null && position == end) {
      rebuildOrder(); // the pairs are the journal's: a clean restart
    } else {
      rebuildPairs(cutoffSecond);
    }
    noteJournalEnd();
    this.count = countPairs();
  }

  /**
   * touch(g, c): the last access becomes {@code second}, unless a later access is already recorded.
   *
   * @return the pairs evicted to make room, least recently accessed first (usually none)
   */
  List<Tracked> touch(byte[] gfid, String client, long second) {
    Bytes key = InodeKeys.of(gfid, client);
    Long last = store.get(key);
    // A late record must not make the client look older than an access already seen.
    if (last != null && last >= second) {
      return List.of();
    }
    store.put(key, second);
    journal.touched(key, second);
    if (last != null) {
      byAccess.remove(last, key);
    }
    byAccess.add(second, key);
    if (last != null) {
      return List.of();
    }
    count++;
    return count > maxPairs ? evict(count - maxPairs, key) : List.of();
  }

  /** Every tracked client of {@code gfid}, fresh or not, in uid byte order. */
  List<Tracked> of(byte[] gfid) {
    List<Tracked> tracked = new ArrayList<>();
    try (KeyValueIterator<Bytes, Long> entries =
        store.prefixScan(InodeKeys.of(gfid), PREFIX_SERIALIZER)) {
      while (entries.hasNext()) {
        KeyValue<Bytes, Long> entry = entries.next();
        if (isPair(entry.key)) {
          tracked.add(new Tracked(InodeKeys.suffixOf(entry.key), entry.value, entry.key));
        }
      }
    }
    return tracked;
  }

  /**
   * Up to {@code limit} tracked clients of {@code gfid} after the pair key {@code after} (from the first when null),
   * in uid byte order: one chunk of a fan-out.
   */
  List<Tracked> after(byte[] gfid, Bytes after, int limit) {
    List<Tracked> chunk = new ArrayList<>(Math.min(limit, 1_024));
    Bytes prefix = InodeKeys.of(gfid);
    try (KeyValueIterator<Bytes, Long> entries =
        after == null ? store.prefixScan(prefix, PREFIX_SERIALIZER) : store.range(after, null)) {
      while (entries.hasNext() && chunk.size() < limit) {
        KeyValue<Bytes, Long> entry = entries.next();
        if (entry.key.equals(after) || !isPair(entry.key)) {
          continue;
        }
        // A prefix scan holds the inode's pairs alone; a range from a pair runs on past them.
        if (after != null && !startsWith(entry.key.get(), prefix.get())) {
          break;
        }
        chunk.add(new Tracked(InodeKeys.suffixOf(entry.key), entry.value, entry.key));
      }
    }
    return chunk;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Drops the given tracked clients (those a forget told). */
  void untrack(List<Tracked> tracked) {
    for (Tracked client : tracked) {
      remove(client.key(), client.lastAccessSecond());
      journal.untracked(client.key(), client.lastAccessSecond());
    }
  }

  /**
   * Deletes the pairs last accessed before {@code cutoffSecond}, oldest first, for at most {@code budget} (at least
   * one batch); the next call goes on where this one stopped.
   *
   * @return how many were deleted
   */
  int expire(long cutoffSecond, Duration budget, LongSupplier ticker) {
    long deadline = ticker.getAsLong() + budget.toNanos();
    int deleted = 0;
    while (true) {
      List<KeyValue<Bytes, Long>> doomed = oldest(EXPIRY_BATCH, cutoffSecond, null);
      for (KeyValue<Bytes, Long> pair : doomed) {
        remove(pair.key, pair.value);
      }
      deleted += doomed.size();
      if (doomed.size() < EXPIRY_BATCH || ticker.getAsLong() - deadline > 0) {
        journal.expire(cutoffSecond);
        journal.compact(
            count, (key, second) -> second.equals(store.get(key)), COMPACTED_PER_EXPIRY);
        return deleted;
      }
    }
  }

  /**
   * Makes what changed durable at the next commit: at the end of every record and punctuation. The pairs store
   * notes the journal position its pairs stand for, after them: RocksDB keeps a prefix of a store's writes through a
   * crash (its memtables are flushed in order, without a write-ahead log in Streams), so a position found there means
   * every pair written before it is there too, and a task that finds the journal ending at that position can keep
   * the pairs instead of replaying the journal.
   */
  void persist() {
    journal.persist();
    noteJournalEnd();
  }

  private void noteJournalEnd() {
    if (journal.end() != notedEnd) {
      notedEnd = journal.end();
      store.put(JOURNAL_POSITION, notedEnd);
    }
  }

  /** Pairs tracked by this task. */
  long size() {
    return count;
  }

  private List<Tracked> evict(long excess, Bytes keep) {
    List<Tracked> evicted = new ArrayList<>();
    for (KeyValue<Bytes, Long> pair : oldest(excess, Long.MAX_VALUE, keep)) {
      remove(pair.key, pair.value);
      journal.untracked(pair.key, pair.value);
      evicted.add(new Tracked(InodeKeys.suffixOf(pair.key), pair.value, pair.key));
    }
    return evicted;
  }

  /** Up to {@code limit} pairs in access order, accessed before {@code beforeSecond}, skipping {@code skip}. */
  private List<KeyValue<Bytes, Long>> oldest(long limit, long beforeSecond, Bytes skip) {
    List<KeyValue<Bytes, Long>> oldest = new ArrayList<>();
    List<AccessOrder.Entry> stale = new ArrayList<>();
    boolean kept = false;
    try (AccessOrder.Scan order = byAccess.oldestFirst()) {
      while (order.hasNext() && oldest.size() < limit) {
        AccessOrder.Entry entry = order.next();
        if (entry.second() >= beforeSecond) {
          break;
        }
        Long current = store.get(entry.pair());
        if (current == null || current != entry.second()) {
          stale.add(
              entry); // left by a crash, or by a touch whose old entry's delete was lost with it
          continue;
        }
        if (entry.pair().equals(skip)) {
          kept = true;
          continue;
        }
        if (!kept) {
          byAccess.passed(entry); // everything before it is gone, or is about to be
        }
        oldest.add(KeyValue.pair(entry.pair(), entry.second()));
      }
    }
    stale.forEach(entry -> byAccess.remove(entry.second(), entry.pair()));
    return oldest;
  }

  private void remove(Bytes key, long lastAccessSecond) {
    store.delete(key);
    byAccess.remove(lastAccessSecond, key);
    count--;
  }

  /** Empties the pairs store and replays the journal into it. */
  private void rebuildPairs(long cutoffSecond) {
    Bytes from = null;
    while (true) {
      // Each batch starts where the last one ended: from the start it would step over the
      // tombstones again.
      List<Bytes> batch = new ArrayList<>(EXPIRY_BATCH);
      try (KeyValueIterator<Bytes, Long> entries =
          from == null ? store.all() : store.range(from, null)) {
        while (entries.hasNext() && batch.size() < EXPIRY_BATCH) {
          batch.add(entries.next().key);
        }
      }
      if (batch.isEmpty()) {
        break;
      }
      batch.forEach(store::delete);
      from = batch.get(batch.size() - 1);
    }
    // A touch is journaled only when it moves the pair's second, so the last entry of a pair is its
    // state: each is written as it comes, without reading the pair first. An order entry it leaves
    // behind is a stale hint.
    journal.replay(
        cutoffSecond,
        new TrackingJournal.Replay() {
          @Override
          public void touched(Bytes key, long second) {
            store.put(key, second);
            byAccess.add(second, key);
          }

          @Override
          public void untracked(Bytes key) {
            store.delete(key);
          }
        });
  }

  /** Writes the order entry of every pair (the order store keeps no changelog). */
  private void rebuildOrder() {
    try (KeyValueIterator<Bytes, Long> entries = store.all()) {
      while (entries.hasNext()) {
        KeyValue<Bytes, Long> entry = entries.next();
        if (isPair(entry.key)) {
          byAccess.add(entry.value, entry.key);
        }
      }
    }
  }

  private long countPairs() {
    long pairs = 0;
    try (KeyValueIterator<Bytes, Long> entries = store.all()) {
      while (entries.hasNext()) {
        if (isPair(entries.next().key)) {
          pairs++;
        }
      }
    }
    return pairs;
  }

  /** False for the {@link #JOURNAL_POSITION} entry, the only key without a client uid. */
  static boolean isPair(Bytes key) {
    return key.get().length > InodeKeys.GFID_LENGTH;
  }
}
