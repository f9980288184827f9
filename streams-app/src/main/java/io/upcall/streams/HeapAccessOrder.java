package io.upcall.streams;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;

/**
 * The access order on the heap, for {@code tracked-pairs-store=in-memory}: the pairs of each second in a hash set,
 * the seconds in order. Only the order of the seconds matters to eviction and expiry, so a pair's entry is a hash set
 * entry that shares the pair's key, where a sorted store keeps a key of its own in a skip list of every pair of its
 * second (BENCHMARKS.md, "The access order on the heap"). The stream thread alone reads and writes it; nothing
 * survives the process, as with the pairs on the heap, and {@link TrackedClients} rebuilds it when a task starts.
 */
final class HeapAccessOrder implements AccessOrder {
  private final TreeMap<Long, Set<Bytes>> bySecond = new TreeMap<>();

  @Override
  public void add(long second, Bytes pair) {
    bySecond.computeIfAbsent(second, s -> new LinkedHashSet<>()).add(pair);
  }

  @Override
  public void remove(long second, Bytes pair) {
    Set<Bytes> pairs = bySecond.get(second);
    if (pairs != null && pairs.remove(pair) && pairs.isEmpty()) {
      bySecond.remove(second);
    }
  }

  @Override
  public Scan oldestFirst() {
    Iterator<Map.Entry<Long, Set<Bytes>>> seconds = bySecond.entrySet().iterator();
    return new Scan() {
      private long second;
      private Iterator<Bytes> pairs = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!pairs.hasNext() && seconds.hasNext()) {
          Map.Entry<Long, Set<Bytes>> next = seconds.next();
          second = next.getKey();
          pairs = next.getValue().iterator();
        }
        return pairs.hasNext();
      }

      @Override
      public Entry next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return new Entry(second, pairs.next());
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void passed(Entry entry) {
    // Removed entries leave nothing behind to step over.
  }
}
