package io.upcall.streams.ops;

import io.upcall.streams.InodeKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of one task's tracked-clients store ((gfid ‖ client uid) → last access second): an inode's clients by a
 * prefix scan, a client's inodes and the counts by a full scan, since keys are ordered by gfid first. Public so the
 * bench module can measure the scans the operator endpoint runs.
 */
public final class TrackedScans {
  private static final BytesSerializer PREFIX_SERIALIZER = new BytesSerializer();

  /** A client's entry on one inode. */
  public record ClientEntry(byte[] gfid, long lastAccessSecond) {}

  /** What a full scan for one client found, and how many entries it examined. */
  public record ClientScan(List<ClientEntry> entries, long scanned) {}

  /** The size of the tracked state. */
  public record Counts(long inodes, long pairs, long freshPairs) {
    Counts plus(Counts other) {
      return new Counts(inodes + other.inodes, pairs + other.pairs, freshPairs + other.freshPairs);
    }
  }

  static final Counts NONE = new Counts(0, 0, 0);

  private TrackedScans() {}

  /** The tracked clients of {@code gfid}, in uid byte order, judged fresh at {@code at}. */
  public static List<InodeState.TrackedClient> ofInode(
      ReadOnlyKeyValueStore<Bytes, Long> store, byte[] gfid, FreshAt at, int timeoutSeconds) {
    SortedMap<Bytes, Long> pairs = new TreeMap<>();
    try (KeyValueIterator<Bytes, Long> entries =
        store.prefixScan(InodeKeys.of(gfid), PREFIX_SERIALIZER)) {
      entries.forEachRemaining(entry -> pairs.put(entry.key, entry.value));
    }
    return ofInode(pairs, at, timeoutSeconds);
  }

  /** The tracked clients among {@code pairs} ((gfid, client) key → last access second), judged fresh at {@code at}. */
  public static List<InodeState.TrackedClient> ofInode(
      SortedMap<Bytes, Long> pairs, FreshAt at, int timeoutSeconds) {
    List<InodeState.TrackedClient> clients = new ArrayList<>();
    pairs.forEach(
        (key, second) -> {
          if (key.get().length > InodeKeys.GFID_LENGTH) { // else not a (gfid, client) entry
            clients.add(
                new InodeState.TrackedClient(
                    InodeKeys.suffixOf(key),
                    second,
                    Instant.ofEpochSecond(second).toString(),
                    at.fresh(second, timeoutSeconds)));
          }
        });
    return clients;
  }

  /** Every entry of {@code uid}: a scan of the whole store, comparing key suffixes without decoding them. */
  public static ClientScan forClient(ReadOnlyKeyValueStore<Bytes, Long> store, String uid) {
    byte[] wanted = uid.getBytes(StandardCharsets.UTF_8);
    int length = InodeKeys.GFID_LENGTH + wanted.length;
    List<ClientEntry> found = new ArrayList<>();
    long scanned = 0;
    try (KeyValueIterator<Bytes, Long> entries = store.all()) {
      while (entries.hasNext()) {
        KeyValue<Bytes, Long> entry = entries.next();
        byte[] key = entry.key.get();
        if (key.length <= InodeKeys.GFID_LENGTH) {
          continue; // not a (gfid, client) entry: the store's note of its journal position
        }
        scanned++;
        if (key.length == length
            && Arrays.equals(key, InodeKeys.GFID_LENGTH, length, wanted, 0, wanted.length)) {
          found.add(new ClientEntry(Arrays.copyOf(key, InodeKeys.GFID_LENGTH), entry.value));
        }
      }
    }
    return new ClientScan(found, scanned);
  }

  /** Inodes (distinct gfid prefixes, adjacent in key order), pairs, and pairs fresh at {@code at}. */
  public static Counts count(
      ReadOnlyKeyValueStore<Bytes, Long> store, FreshAt at, int timeoutSeconds) {
    long inodes = 0;
    long pairs = 0;
    long fresh = 0;
    byte[] previous = null;
    try (KeyValueIterator<Bytes, Long> entries = store.all()) {
      while (entries.hasNext()) {
        KeyValue<Bytes, Long> entry = entries.next();
        byte[] key = entry.key.get();
        if (key.length <= InodeKeys.GFID_LENGTH) {
          continue; // not a (gfid, client) entry: the store's note of its journal position
        }
        pairs++;
        if (previous == null
            || !Arrays.equals(previous, 0, InodeKeys.GFID_LENGTH, key, 0, InodeKeys.GFID_LENGTH)) {
          inodes++;
          previous = key;
        }
        if (at.fresh(entry.value, timeoutSeconds)) {
          fresh++;
        }
      }
    }
    return new Counts(inodes, pairs, fresh);
  }
}
