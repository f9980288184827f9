package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The heap's access order holds what the store's holds, second by second in the same order of seconds; within a
 * second the order is free, since eviction and expiry only compare seconds.
 */
class AccessOrderTest {
  private static StoredAccessOrder stored() {
    KeyValueStore<Bytes, byte[]> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("order"), Serdes.Bytes(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return new StoredAccessOrder(store);
  }

  private static Map<Long, Set<Bytes>> bySecond(AccessOrder order) {
    Map<Long, Set<Bytes>> seen = new TreeMap<>();
    List<Long> seconds = new ArrayList<>();
    try (AccessOrder.Scan scan = order.oldestFirst()) {
      while (scan.hasNext()) {
        AccessOrder.Entry entry = scan.next();
        seconds.add(entry.second());
        assertThat(seen.computeIfAbsent(entry.second(), s -> new TreeSet<>()).add(entry.pair()))
            .as("each entry once")
            .isTrue();
      }
    }
    assertThat(seconds).as("oldest first").isSorted();
    return seen;
  }

  @Test
  void theHeapOrderHoldsTheStoresEntriesSecondBySecond() {
    Random random = new Random(7);
    StoredAccessOrder store = stored();
    HeapAccessOrder heap = new HeapAccessOrder();
    for (int i = 0; i < 5_000; i++) {
      // Negative seconds too: the store flips the sign bit so that byte order is numeric order.
      long second = random.nextInt(40) - 10;
      Bytes pair = Bytes.wrap(new byte[] {(byte) random.nextInt(30), (byte) random.nextInt(3)});
      if (random.nextInt(3) == 0) {
        store.remove(second, pair);
        heap.remove(second, pair);
      } else {
        store.add(second, pair);
        heap.add(second, pair);
      }
      if (i % 500 == 0) {
        assertThat(bySecond(heap)).isEqualTo(bySecond(store));
      }
    }
    assertThat(bySecond(heap)).isEqualTo(bySecond(store)).isNotEmpty();
  }

  @Test
  void aSecondLeftEmptyIsNoLongerScanned() {
    HeapAccessOrder heap = new HeapAccessOrder();
    Bytes pair = Bytes.wrap(new byte[] {1});
    heap.add(5, pair);
    heap.add(9, pair);
    heap.remove(5, pair);
    heap.remove(5, Bytes.wrap(new byte[] {2})); // not there: nothing changes

    try (AccessOrder.Scan scan = heap.oldestFirst()) {
      assertThat(scan.next()).isEqualTo(new AccessOrder.Entry(9, pair));
      assertThat(scan.hasNext()).isFalse();
    }
  }
}
