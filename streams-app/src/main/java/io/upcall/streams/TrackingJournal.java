package io.upcall.streams;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The durable history of a task's tracked pairs: every touch that moved a pair's last access second and every pair
 * untracked (by a forget or an eviction), in the order the task made them, in segments of about {@link
 * #SEGMENT_BYTES}. The pairs store and its access order keep no changelog; a starting task rebuilds them from this
 * journal, so a touch costs a few bytes in a segment instead of a changelog record of its own.
 *
 * <p>Why a commit never claims a touch the journal lacks: the processor calls {@link #persist()} at the end of every
 * record and punctuation, and Kafka Streams commits only between them. The store has a record cache and a changelog,
 * so a commit flushes the open segment to the changelog before the input offsets (at-least-once) or inside their
 * transaction (exactly-once); the cache makes the rewrites of the open segment at most one changelog record per
 * commit, plus one per segment filled.
 *
 * <p>How an entry is encoded: kind, second, key length and key (gfid ‖ client uid); or, for a touch with the second
 * and the client uid of the entry before it in its segment, kind and gfid alone. That is how a READDIRP's entries
 * come, one client listing many inodes in one second, and a client uid is most of a key: such entries were most of
 * the bytes the app wrote (measured: 0.9–1.4 KB of journal per fop of 2.1–2.6 KB written). Every segment starts with
 * a full entry, so each reads alone.
 *
 * <p>What stays in it: a segment whose newest second is older than the expiry cutoff holds only pairs that expiry
 * deletes anyway (an untrack carries the second of the pair it removed, never older than the touches before it), so
 * it is deleted whole; and while the journal holds more than twice as many entries as there are pairs, the oldest
 * segment's entries that are still a pair's state are carried to the open segment and the rest dropped, so the
 * journal, its changelog and a restore stay proportional to the pairs tracked, not to the touches made.
 */
final class TrackingJournal {
  /** Segment number → its entries. */
  static final String STORE = "upcall-tracking-journal";

  /** A segment is closed once it holds this much: a cached rewrite per record copies at most this. */
  static final int SEGMENT_BYTES = 16 * 1024;

  /** Entries the journal may hold beyond twice the pairs before the oldest segment is compacted. */
  static final long SLACK_ENTRIES = 4_096;

  private static final byte TOUCH = 1;
  private static final byte UNTRACK = 2;

  /** A touch with the second and the client uid of the entry before it: kind and gfid only. */
  private static final byte TOUCH_LIKE_PREVIOUS = 3;

  /** Kind, second, key length. */
  private static final int ENTRY_HEADER = 1 + Long.BYTES + Short.BYTES;

  /** What a replay of the journal tells the pairs store. */
  interface Replay {
    /** The pair's last access became {@code second}. */
    void touched(Bytes key, long second);

    /** The pair is no longer tracked. */
    void untracked(Bytes key);
  }

  /** A closed segment's newest second, entry count and length. */
  private record Segment(long newestSecond, int entries, int bytes) {}

  private final KeyValueStore<Long, byte[]> store;
  private final NavigableMap<Long, Segment> closed = new TreeMap<>();
  private long entries;
  private long openNumber;
  private ByteBuffer open = ByteBuffer.allocate(SEGMENT_BYTES + 256);
  private long openNewestSecond = Long.MIN_VALUE;
  private int openEntries;
  private boolean dirty;

  /** The open segment's last entry, which a touch with its second and client uid refers to; null at its start. */
  private byte[] previousKey;

  private byte previousKind;
  private long previousSecond;

  /** Whether the open segment is in the store. */
  private boolean openWritten;

  /** Where the last segment in the store ends ({@link #end()}), -1 when none is. */
  private long end = -1;

  TrackingJournal(KeyValueStore<Long, byte[]> store) {
    this.store = store;
  }

  /**
   * Reads the segments' bookkeeping and opens a new segment after them.
   *
   * @return the position the journal ends at ({@link #end()})
   */
  long load() {
    try (KeyValueIterator<Long, byte[]> segments = store.all()) {
      while (segments.hasNext()) {
        KeyValue<Long, byte[]> segment = segments.next();
        long[] newest = {Long.MIN_VALUE};
        int count =
            read(segment.value, (kind, key, second) -> newest[0] = Math.max(newest[0], second));
        closed.put(segment.key, new Segment(newest[0], count, segment.value.length));
        entries += count;
        end = position(segment.key, segment.value.length);
      }
    }
    openNumber = closed.isEmpty() ? 0 : closed.lastKey() + 1;
    return end;
  }

  /** Replays every segment in order into {@code into}, skipping touches older than {@code cutoffSecond}. */
  void replay(long cutoffSecond, Replay into) {
    try (KeyValueIterator<Long, byte[]> segments = store.all()) {
      while (segments.hasNext()) {
        read(
            segments.next().value,
            (kind, key, second) -> {
              if (kind == UNTRACK) {
                into.untracked(key);
              } else if (second >= cutoffSecond) {
                into.touched(key, second);
              }
            });
      }
    }
  }

  /**
   * Where the journal in the store ends, as the last segment's number and length in one long (-1: empty): it
   * identifies one point of the journal's history, since a segment only grows, a new one takes a new number, and
   * one deleted is never written again.
   */
  long end() {
    return end;
  }

  private static long position(long segment, int length) {
    return segment << 24 | length;
  }

  /** Records that the pair {@code key} was last accessed at {@code second}. */
  void touched(Bytes key, long second) {
    append(TOUCH, key, second);
  }

  /** Records that the pair {@code key}, last accessed at {@code second}, is no longer tracked. */
  void untracked(Bytes key, long second) {
    append(UNTRACK, key, second);
  }

  /**
   * Writes the open segment to the store if it changed: at the end of every record and punctuation.
   *
   * @return whether it wrote
   */
  boolean persist() {
    if (!dirty) {
      return false;
    }
    store.put(openNumber, Arrays.copyOf(open.array(), open.position()));
    dirty = false;
    openWritten = true;
    end = position(openNumber, open.position());
    return true;
  }

  /** Deletes the segments whose newest second is before {@code cutoffSecond}. */
  void expire(long cutoffSecond) {
    List<Long> doomed = new ArrayList<>();
    for (Map.Entry<Long, Segment> segment : closed.entrySet()) {
      if (segment.getValue().newestSecond() < cutoffSecond) {
        doomed.add(segment.getKey());
      }
    }
    for (long number : doomed) {
      entries -= closed.remove(number).entries();
      store.delete(number);
    }
    if (openEntries > 0 && openNewestSecond < cutoffSecond) {
      store.delete(openNumber);
      entries -= openEntries;
      openNumber++;
      startSegment();
    }
    refreshEnd();
  }

  /**
   * While the journal holds more than twice {@code pairs} entries (and some slack), carries the oldest segment's
   * entries that {@code current} says are still a pair's state into the open segment and deletes it; the others
   * were replaced by a later entry. An untrack in the oldest segment has no earlier touch left to cancel.
   *
   * @return how many segments were compacted
   */
  int compact(long pairs, BiPredicate<Bytes, Long> current, int maxSegments) {
    int compacted = 0;
    while (compacted < maxSegments && entries > 2 * pairs + SLACK_ENTRIES && !closed.isEmpty()) {
      long oldest = closed.firstKey();
      byte[] segment = store.get(oldest);
      entries -= closed.remove(oldest).entries();
      store.delete(oldest);
      if (segment != null) {
        read(
            segment,
            (kind, key, second) -> {
              if (kind == TOUCH && current.test(key, second)) {
                touched(key, second);
              }
            });
      }
      compacted++;
    }
    refreshEnd();
    return compacted;
  }

  /** Entries in the journal, every segment counted. */
  long entries() {
    return entries;
  }

  private void append(byte kind, Bytes key, long second) {
    byte[] pair = key.get();
    if (open.remaining() < ENTRY_HEADER + pair.length) {
      open =
          ByteBuffer.wrap(
                  Arrays.copyOf(open.array(), open.capacity() * 2 + ENTRY_HEADER + pair.length))
              .position(open.position());
    }
    if (kind == TOUCH && likePrevious(pair, second)) {
      open.put(TOUCH_LIKE_PREVIOUS).put(pair, 0, InodeKeys.GFID_LENGTH);
    } else {
      open.put(kind).putLong(second).putShort((short) pair.length).put(pair);
    }
    previousKey = pair;
    previousKind = kind;
    previousSecond = second;
    openNewestSecond = Math.max(openNewestSecond, second);
    openEntries++;
    entries++;
    dirty = true;
    if (open.position() >= SEGMENT_BYTES) {
      persist();
      closed.put(openNumber, new Segment(openNewestSecond, openEntries, open.position()));
      openNumber++;
      startSegment();
    }
    refreshEnd();
  }

  /** Whether a touch of {@code pair} at {@code second} can be written as {@link #TOUCH_LIKE_PREVIOUS}. */
  private boolean likePrevious(byte[] pair, long second) {
    return previousKey != null
        && previousKind == TOUCH
        && previousSecond == second
        && pair.length == previousKey.length
        && pair.length >= InodeKeys.GFID_LENGTH
        && Arrays.equals(
            pair,
            InodeKeys.GFID_LENGTH,
            pair.length,
            previousKey,
            InodeKeys.GFID_LENGTH,
            previousKey.length);
  }

  /** After deletes: the last segment in the store is the open one if written, else the newest closed one. */
  private void refreshEnd() {
    if (!openWritten) {
      end =
          closed.isEmpty() ? -1 : position(closed.lastKey(), closed.lastEntry().getValue().bytes());
    }
  }

  private void startSegment() {
    openWritten = false;
    open = ByteBuffer.allocate(SEGMENT_BYTES + 256);
    openNewestSecond = Long.MIN_VALUE;
    openEntries = 0;
    dirty = false;
    previousKey = null;
  }

  /** One entry of a segment. */
  interface EntryVisitor {
    void visit(byte kind, Bytes key, long second);
  }

  /** True for an entry that untracks its pair. */
  static boolean untracks(byte kind) {
    return kind == UNTRACK;
  }

  /** Visits a segment's entries in order and returns how many it holds. */
  static int read(byte[] segment, EntryVisitor visitor) {
    ByteBuffer entries = ByteBuffer.wrap(segment);
    int count = 0;
    byte[] previous = null;
    long second = 0;
    while (entries.hasRemaining()) {
      byte kind = entries.get();
      byte[] key;
      if (kind == TOUCH_LIKE_PREVIOUS) {
        if (previous == null) {
          throw new IllegalStateException(
              "a journal segment starts with an entry that refers back");
        }
        key = previous.clone();
        entries.get(key, 0, InodeKeys.GFID_LENGTH);
        kind = TOUCH;
      } else {
        second = entries.getLong();
        key = new byte[Short.toUnsignedInt(entries.getShort())];
        entries.get(key);
      }
      previous = key;
      visitor.visit(kind, Bytes.wrap(key), second);
      count++;
    }
    return count;
  }
}
