package io.upcall.streams;

import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The tracked pairs of one inode as a task's {@link TrackingJournal} holds them: how a standby replica, which restores
 * the journal but keeps no pairs store (it has no changelog), answers an operator. A replay of the whole journal, so
 * for occasional reads only.
 */
public final class JournaledPairs {
  /** The store a standby replica restores the tracked pairs' journal into. */
  public static final String STORE = TrackingJournal.STORE;

  private JournaledPairs() {}

  /** The (gfid, client uid) keys of {@code gfid}'s tracked clients → last access second, in key order. */
  public static SortedMap<Bytes, Long> ofInode(
      ReadOnlyKeyValueStore<Long, byte[]> journal, byte[] gfid) {
    SortedMap<Bytes, Long> pairs = new TreeMap<>();
    try (KeyValueIterator<Long, byte[]> segments = journal.all()) {
      while (segments.hasNext()) {
        KeyValue<Long, byte[]> segment = segments.next();
        TrackingJournal.read(
            segment.value,
            (kind, key, second) -> {
              if (!Arrays.equals(
                  key.get(), 0, InodeKeys.GFID_LENGTH, gfid, 0, InodeKeys.GFID_LENGTH)) {
                return;
              }
              if (TrackingJournal.untracks(kind)) {
                pairs.remove(key);
              } else {
                pairs.merge(key, second, Math::max);
              }
            });
      }
    }
    return pairs;
  }
}
