package io.upcall.streams;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The tracked clients of every inode of a task: one store entry per (gfid, client uid), keyed by the 16 gfid
 * bytes followed by the uid's UTF-8 bytes, holding the last access second. A notify is a prefix scan of the
 * gfid; a touch by a hot client rewrites one small entry, and only when the second moves on.
 */
final class TrackedClients {
  private static final BytesSerializer PREFIX_SERIALIZER = new BytesSerializer();

  /** One tracked client of an inode. */
  record Tracked(String client, long lastAccessSecond, Bytes key) {}

  private final KeyValueStore<Bytes, Long> store;

  TrackedClients(KeyValueStore<Bytes, Long> store) {
    this.store = store;
  }

  /** touch(g, c): the last access becomes {@code second}, unless a later access is already recorded. */
  void touch(byte[] gfid, String client, long second) {
    Bytes key = InodeKeys.of(gfid, client);
    Long last = store.get(key);
    // A late record must not make the client look older than an access already seen.
    if (last == null || last < second) {
      store.put(key, second);
    }
  }

  /** Every tracked client of {@code gfid}, fresh or not, in uid byte order. */
  List<Tracked> of(byte[] gfid) {
    List<Tracked> tracked = new ArrayList<>();
    try (KeyValueIterator<Bytes, Long> entries = store.prefixScan(InodeKeys.of(gfid), PREFIX_SERIALIZER)) {
      while (entries.hasNext()) {
        KeyValue<Bytes, Long> entry = entries.next();
        tracked.add(new Tracked(InodeKeys.suffixOf(entry.key), entry.value, entry.key));
      }
    }
    return tracked;
  }

  /** Drops the given tracked clients (those a forget told). */
  void untrack(List<Tracked> tracked) {
    for (Tracked client : tracked) {
      store.delete(client.key());
    }
  }

}
