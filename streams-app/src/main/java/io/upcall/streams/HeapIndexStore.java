package io.upcall.streams;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
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
 * A key-value store on the heap for the tracked pairs and their access order, in RocksDB's byte order. Streams' own
 * in-memory store copies every key of a range into a new set when the range is opened, so each eviction or expiry
 * scan of the access order (from its oldest entry to its end) would copy the whole order; here a range is a view
 * of the map, read as it goes. The map is concurrent because the operator endpoint reads the pairs from its own
 * threads while the stream thread writes them.
 */
final class HeapIndexStore implements KeyValueStore<Bytes, byte[]> {
  /** The metrics scope of these stores, as {@code Stores.inMemoryKeyValueStore} names its own. */
  static final String METRICS_SCOPE = "in-memory";

  private final String name;
  private final ConcurrentSkipListMap<Bytes, byte[]> map = new ConcurrentSkipListMap<>();

  /** The map's size: {@link ConcurrentSkipListMap#size()} walks the whole map. One writer, many readers. */
  private volatile long entries;

  private volatile boolean open;

  HeapIndexStore(String name) {
    this.name = name;
  }

  /** Supplies a new, empty store named {@code name} to each task that builds one. */
  static KeyValueBytesStoreSupplier supplier(String name) {
    return new KeyValueBytesStoreSupplier() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public KeyValueStore<Bytes, byte[]> get() {
        return new HeapIndexStore(name);
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
    map.clear();
    entries = 0;
    open = false;
  }

  @Override
  public byte[] get(Bytes key) {
    return map.get(key);
  }

  @Override
  public void put(Bytes key, byte[] value) {
    if (value == null) {
      delete(key);
    } else if (map.put(key, value) == null) {
      entries++;
    }
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] previous = map.get(key);
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
    byte[] previous = map.remove(key);
    if (previous != null) {
      entries--;
    }
    return previous;
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return new View(slice(from, to));
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return new View(slice(from, to).descendingMap());
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return new View(map);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return new View(map.descendingMap());
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(
      P prefix, PS prefixKeySerializer) {
    Bytes from = Bytes.wrap(prefixKeySerializer.serialize(null, prefix));
    Bytes past;
    try {
      past = Bytes.increment(from); // the bound Streams' own stores use
    } catch (IndexOutOfBoundsException allOnes) {
      return new View(map.tailMap(from, true));
    }
    return new View(map.subMap(from, true, past, false));
  }

  @Override
  public long approximateNumEntries() {
    return entries;
  }

  /** Keys from {@code from} to {@code to}, both included; null is open-ended; empty when from is past to. */
  private NavigableMap<Bytes, byte[]> slice(Bytes from, Bytes to) {
    if (from != null && to != null && from.compareTo(to) > 0) {
      return new ConcurrentSkipListMap<>();
    }
    if (from == null) {
      return to == null ? map : map.headMap(to, true);
    }
    return to == null ? map.tailMap(from, true) : map.subMap(from, true, to, true);
  }

  /**
   * The entries of a live view, read one ahead for {@link #peekNextKey()}. The view is weakly consistent: a write
   * during the iteration may or may not show, and never breaks it.
   */
  private static final class View implements KeyValueIterator<Bytes, byte[]> {
    private final Iterator<Map.Entry<Bytes, byte[]>> entries;
    private Map.Entry<Bytes, byte[]> next;

    View(Map<Bytes, byte[]> view) {
      this.entries = view.entrySet().iterator();
      advance();
    }

    private void advance() {
      next = entries.hasNext() ? entries.next() : null;
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
