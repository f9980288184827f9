package io.upcall.streams;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The access order in a key-value store ({@link UpcallProcessor#ACCESS_ORDER_STORE} in RocksDB): one key per entry,
 * {@code 1 ‖ second ‖ pair}, so the store's byte order is the access order.
 */
final class StoredAccessOrder implements AccessOrder {
  /** Every order entry starts with this byte (0 is left for bookkeeping a later version may need). */
  private static final byte ORDER = 1;

  /** The bytes an access-order key starts with before its pair: its kind and its second. */
  private static final int GROUP_PREFIX = 1 + Long.BYTES;

  private static final Bytes FIRST = Bytes.wrap(new byte[] {ORDER});
  private static final byte[] NOTHING = new byte[0];

  private final KeyValueStore<Bytes, byte[]> store;

  /**
   * Where the oldest live entry is at or after (null: the start). Evictions and expiry delete from the front, leaving
   * tombstones there that every scan from the start would step over again (quadratic under eviction); a scan starts
   * here instead, and an access older than it (a late record) moves it back.
   */
  private Bytes head;

  StoredAccessOrder(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  @Override
  public void add(long second, Bytes pair) {
    Bytes key = keyOf(second, pair);
    store.put(key, NOTHING);
    if (head != null && key.compareTo(head) < 0) {
      head = key;
    }
  }

  @Override
  public void remove(long second, Bytes pair) {
    store.delete(keyOf(second, pair));
  }

  @Override
  public Scan oldestFirst() {
    KeyValueIterator<Bytes, byte[]> entries = store.range(head == null ? FIRST : head, null);
    return new Scan() {
      @Override
      public boolean hasNext() {
        return entries.hasNext();
      }

      @Override
      public Entry next() {
        byte[] key = entries.next().key.get();
        long second = ByteBuffer.wrap(key, 1, Long.BYTES).getLong() ^ Long.MIN_VALUE;
        return new Entry(second, Bytes.wrap(Arrays.copyOfRange(key, GROUP_PREFIX, key.length)));
      }

      @Override
      public void close() {
        entries.close();
      }
    };
  }

  @Override
  public void passed(Entry entry) {
    head = keyOf(entry.second(), entry.pair());
  }

  /** 1 ‖ second (sign bit flipped, so byte order is numeric order) ‖ pair key. */
  private static Bytes keyOf(long second, Bytes pair) {
    byte[] bytes = pair.get();
    return Bytes.wrap(
        ByteBuffer.allocate(GROUP_PREFIX + bytes.length)
            .put(ORDER)
            .putLong(second ^ Long.MIN_VALUE)
            .put(bytes)
            .array());
  }
}
