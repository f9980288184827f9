package io.upcall.streams;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store on the heap for the tracked pairs, in RocksDB's byte order. Streams' own in-memory store copies
 * every key of a range into a new set when the range is opened, so each scan of a range would copy it; here a range
 * is a view of the maps, read as it goes. The maps are concurrent because the operator endpoint reads the pairs from
 * its own threads while the stream thread writes them.
 *
 * <p>Keys are grouped by their first {@code groupPrefix} bytes (a pair's gfid), each group found by hash: a lookup,
 * insert or delete searches one inode's clients instead of descending a skip list of a million keys, whose every
 * level was a cache miss (BENCHMARKS.md, "Where the heap store's time goes"). A group of one key (most inodes have
 * one client) is that entry alone, a larger one its keys by hash and in order ({@link Many}). Groups are also kept
 * in prefix order, and because cutting keys to a fixed length keeps their order, walking the groups in order and
 * each group in order is the store's byte order.
 */
final class HeapIndexStore implements KeyValueStore<Bytes, byte[]> {
  /** The metrics scope of these stores, as {@code Stores.inMemoryKeyValueStore} names its own. */
  static final String METRICS_SCOPE = "in-memory";

  private final String name;
  private final int groupPrefix;

  /**
   * The groups by prefix, in order and by hash; each is a {@link Slot} (a group of one) or a {@link Many}. The stream
   * thread is the only writer.
   */
  private final ConcurrentSkipListMap<Bytes, Object> groups = new ConcurrentSkipListMap<>();

  private final ConcurrentHashMap<Bytes, Object> byPrefix = new ConcurrentHashMap<>();

  /** The number of entries: {@link ConcurrentSkipListMap#size()} walks a whole map. One writer, many readers. */
  private volatile long entries;

  private volatile boolean open;

  HeapIndexStore(String name, int groupPrefix) {
    if (groupPrefix < 1) {
      throw new IllegalArgumentException("groupPrefix must be at least 1, was " + groupPrefix);
    }
    this.name = name;
    this.groupPrefix = groupPrefix;
  }

  /**
   * Supplies a new, empty store named {@code name} to each task that builds one, its keys grouped by their first
   * {@code groupPrefix} bytes.
   */
  static KeyValueBytesStoreSupplier supplier(String name, int groupPrefix) {
    return new KeyValueBytesStoreSupplier() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public KeyValueStore<Bytes, byte[]> get() {
        return new HeapIndexStore(name, groupPrefix);
      }

      @Override
      public String metricsScope() {
        return METRICS_SCOPE;
      }
    };
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    // Upcall keeps these stores without a changelog; should one be given one, this is its restore.
    context.register(root, (key, value) -> put(Bytes.wrap(key), value));
    open = true;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public Position getPosition() {
    return Position.emptyPosition();
  }

  @Override
  public void close() {
    groups.clear();
    byPrefix.clear();
    entries = 0;
    open = false;
  }

  /** The group {@code key} belongs to: its first {@code groupPrefix} bytes, or the whole key when shorter. */
  private Bytes prefixOf(Bytes key) {
    byte[] bytes = key.get();
    return bytes.length <= groupPrefix ? key : Bytes.wrap(Arrays.copyOf(bytes, groupPrefix));
  }

  @Override
  public byte[] get(Bytes key) {
    Object group = byPrefix.get(prefixOf(key));
    if (group instanceof Slot one) {
      return one.key.equals(key) ? one.value : null;
    }
    Slot slot = group == null ? null : ((Many) group).byKey.get(key);
    return slot == null ? null : slot.value;
  }

  @Override
  public void put(Bytes key, byte[] value) {
    if (value == null) {
      delete(key);
      return;
    }
    Bytes prefix = prefixOf(key);
    Object group = byPrefix.get(prefix);
    if (group == null) {
      replace(prefix, new Slot(key, value));
      entries++;
    } else if (group instanceof Slot one) {
      if (one.key.equals(key)) {
        // No map is written: replacing the group was a search of the ordered map of every group.
        one.value = value;
      } else {
        Many grown = new Many();
        grown.add(one);
        grown.add(new Slot(key, value));
        replace(prefix, grown);
        entries++;
      }
    } else if (((Many) group).put(key, value)) {
      entries++;
    }
  }

  private void replace(Bytes prefix, Object group) {
    groups.put(prefix, group);
    byPrefix.put(prefix, group);
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] previous = get(key);
    if (previous == null) {
      put(key, value);
    }
    return previous;
  }

  @Override
  public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    entries.forEach(entry -> put(entry.key, entry.value));
  }

  @Override
  public byte[] delete(Bytes key) {
    Bytes prefix = prefixOf(key);
    Object group = byPrefix.get(prefix);
    byte[] previous;
    if (group instanceof Slot one) {
      previous = one.key.equals(key) ? one.value : null;
    } else {
      previous = group == null ? null : ((Many) group).remove(key);
    }
    if (previous != null) {
      entries--;
      if (group instanceof Slot || ((Many) group).inOrder.isEmpty()) {
        groups.remove(prefix);
        byPrefix.remove(prefix);
      }
    }
    return previous;
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return slice(from, true, to, true, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return slice(from, true, to, true, true);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return slice(null, true, null, true, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return slice(null, true, null, true, true);
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(
      P prefix, PS prefixKeySerializer) {
    Bytes from = Bytes.wrap(prefixKeySerializer.serialize(null, prefix));
    byte[] bytes = from.get();
    if (bytes.length == groupPrefix && bytes[bytes.length - 1] != (byte) 0xFF) {
      // One group, an inode's clients: Streams' bound (the prefix incremented) holds exactly the
      // keys that start with the prefix, unless the increment carries (the slice answers that).
      Object group = byPrefix.get(from);
      return new View(
          group == null ? List.of().iterator() : List.of(group).iterator(),
          null,
          true,
          null,
          true,
          false);
    }
    Bytes past;
    try {
      past = Bytes.increment(from); // the bound Streams' own stores use
    } catch (IndexOutOfBoundsException allOnes) {
      return slice(from, true, null, true, false);
    }
    return slice(from, true, past, false, false);
  }

  @Override
  public long approximateNumEntries() {
    return entries;
  }

  /**
   * Keys from {@code from} to {@code to} (null is open-ended), empty when from is past to: the groups whose prefix
   * lies between the bounds' prefixes, each cut to the bounds.
   */
  private KeyValueIterator<Bytes, byte[]> slice(
      Bytes from, boolean fromInclusive, Bytes to, boolean toInclusive, boolean descending) {
    if (from != null && to != null && from.compareTo(to) > 0) {
      return new View(List.of().iterator(), from, true, to, true, false);
    }
    NavigableMap<Bytes, Object> between = groups;
    if (from != null) {
      between = between.tailMap(prefixOf(from), true);
    }
    if (to != null) {
      between = between.headMap(prefixOf(to), true);
    }
    Collection<Object> inOrder = descending ? between.descendingMap().values() : between.values();
    return new View(inOrder.iterator(), from, fromInclusive, to, toInclusive, descending);
  }

  /**
   * A key and its value, which is rewritten in place, so a touch that moves a pair's second writes no map; alone, a
   * group of one key, the commonest (an inode with one client). Readers on other threads see the old value or the
   * new, as the maps' own entries would show them.
   */
  private static final class Slot implements Map.Entry<Bytes, byte[]> {
    final Bytes key;
    volatile byte[] value;

    Slot(Bytes key, byte[] value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public Bytes getKey() {
      return key;
    }

    @Override
    public byte[] getValue() {
      return value;
    }

    @Override
    public byte[] setValue(byte[] value) {
      throw new UnsupportedOperationException("a store entry is written through the store");
    }
  }

  /**
   * A group of several keys (an inode with several clients): each key's slot found by hash, as a touch and a change's
   * check of a client look it up, and in order through a skip list, as a fan-out reads them. A hot inode's clients
   * share long uid prefixes, so a search by order compared many bytes at every level.
   */
  private static final class Many {
    final ConcurrentHashMap<Bytes, Slot> byKey = new ConcurrentHashMap<>();
    final ConcurrentSkipListMap<Bytes, Slot> inOrder = new ConcurrentSkipListMap<>();

    void add(Slot slot) {
      inOrder.put(slot.key, slot);
      byKey.put(slot.key, slot);
    }

    /** Writes {@code value} for {@code key}; true when the key is new to the group. */
    boolean put(Bytes key, byte[] value) {
      Slot slot = byKey.get(key);
      if (slot != null) {
        slot.value = value;
        return false;
      }
      add(new Slot(key, value));
      return true;
    }

    /** Removes {@code key}; its value, or null when it was not in the group. */
    byte[] remove(Bytes key) {
      Slot slot = byKey.remove(key);
      if (slot == null) {
        return null;
      }
      inOrder.remove(key);
      return slot.value;
    }
  }

  /**
   * The entries of a live view, group after group, read one ahead for {@link #peekNextKey()}. The view is weakly
   * consistent: a write during the iteration may or may not show, and never breaks it.
   */
  private static final class View implements KeyValueIterator<Bytes, byte[]> {
    private final Iterator<Object> groups;
    private final Bytes from;
    private final boolean fromInclusive;
    private final Bytes to;
    private final boolean toInclusive;
    private final boolean descending;
    private Iterator<? extends Map.Entry<Bytes, byte[]>> entries = Collections.emptyIterator();
    private Map.Entry<Bytes, byte[]> next;

    View(
        Iterator<Object> groups,
        Bytes from,
        boolean fromInclusive,
        Bytes to,
        boolean toInclusive,
        boolean descending) {
      this.groups = groups;
      this.from = from;
      this.fromInclusive = fromInclusive;
      this.to = to;
      this.toInclusive = toInclusive;
      this.descending = descending;
      advance();
    }

    private void advance() {
      while (!entries.hasNext() && groups.hasNext()) {
        entries = within(groups.next());
      }
      next = entries.hasNext() ? entries.next() : null;
    }

    /** The entries of {@code group} between the bounds, in the view's order. */
    private Iterator<? extends Map.Entry<Bytes, byte[]>> within(Object group) {
      if (group instanceof Slot one) {
        return within(one.key) ? List.of(one).iterator() : Collections.emptyIterator();
      }
      NavigableMap<Bytes, Slot> bounded = ((Many) group).inOrder;
      if (from != null) {
        bounded = bounded.tailMap(from, fromInclusive);
      }
      if (to != null) {
        bounded = bounded.headMap(to, toInclusive);
      }
      return (descending ? bounded.descendingMap() : bounded).values().iterator();
    }

    private boolean within(Bytes key) {
      if (from != null) {
        int c = key.compareTo(from);
        if (c < 0 || (c == 0 && !fromInclusive)) {
          return false;
        }
      }
      if (to != null) {
        int c = key.compareTo(to);
        return c < 0 || (c == 0 && toInclusive);
      }
      return true;
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      KeyValue<Bytes, byte[]> entry = KeyValue.pair(next.getKey(), next.getValue());
      advance();
      return entry;
    }

    @Override
    public Bytes peekNextKey() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      return next.getKey();
    }

    @Override
    public void close() {}
  }
}
