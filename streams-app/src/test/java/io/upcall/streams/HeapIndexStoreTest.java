package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The heap store answers every read as Streams' own in-memory store does (the same byte order, bounds and prefixes),
 * and its ranges are views that a scan may delete from as it goes, as eviction and expiry do.
 */
class HeapIndexStoreTest {
  private static KeyValueStore<Bytes, byte[]> opened(KeyValueStore<Bytes, byte[]> store) {
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }

  private static KeyValueStore<Bytes, byte[]> heap() {
    return heap(1);
  }

  private static KeyValueStore<Bytes, byte[]> heap(int groupPrefix) {
    return opened(HeapIndexStore.supplier("heap", groupPrefix).get());
  }

  private static Bytes key(Random random) {
    byte[] key = new byte[1 + random.nextInt(3)];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (random.nextInt(3) == 0 ? 0xFF : random.nextInt(4));
    }
    return Bytes.wrap(key);
  }

  private static List<String> read(KeyValueIterator<Bytes, byte[]> entries) {
    List<String> read = new ArrayList<>();
    try (entries) {
      while (entries.hasNext()) {
        Bytes peeked = entries.peekNextKey();
        KeyValue<Bytes, byte[]> entry = entries.next();
        assertThat(entry.key).isEqualTo(peeked);
        read.add(entry.key + "=" + new String(entry.value));
      }
    }
    return read;
  }

  /** Keys of one to three bytes, grouped by none, some or all of them. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 9})
  void everyReadMatchesStreamsInMemoryStore(int groupPrefix) {
    KeyValueStore<Bytes, byte[]> heap = heap(groupPrefix);
    KeyValueStore<Bytes, byte[]> reference =
        opened(Stores.inMemoryKeyValueStore("reference").get());
    Random random = new Random(42);
    for (int op = 0; op < 5_000; op++) {
      Bytes key = key(random);
      byte[] value = ("v" + op).getBytes();
      switch (random.nextInt(6)) {
        case 0, 1 -> {
          heap.put(key, value);
          reference.put(key, value);
        }
        case 2 -> assertThat(heap.delete(key)).isEqualTo(reference.delete(key));
        case 3 ->
            assertThat(heap.putIfAbsent(key, value)).isEqualTo(reference.putIfAbsent(key, value));
        case 4 -> {
          heap.put(key, null);
          reference.put(key, null);
        }
        default -> assertThat(heap.get(key)).isEqualTo(reference.get(key));
      }
      if (op % 50 == 0) {
        Bytes from = key(random);
        Bytes to = key(random);
        // Streams' store cannot bound an all-ones prefix (it throws); theAllOnesPrefixHasNoBound
        // covers it.
        Bytes prefix = Bytes.wrap(new byte[] {(byte) random.nextInt(4), (byte) 0xFF});
        Bytes shortPrefix = Bytes.wrap(new byte[] {(byte) random.nextInt(4)});
        List<Function<KeyValueStore<Bytes, byte[]>, KeyValueIterator<Bytes, byte[]>>> reads =
            List.of(
                KeyValueStore::all,
                KeyValueStore::reverseAll,
                store -> store.range(from, to),
                store -> store.reverseRange(from, to),
                store -> store.range(null, to),
                store -> store.range(from, null),
                store -> store.prefixScan(prefix, new BytesSerializer()),
                store -> store.prefixScan(shortPrefix, new BytesSerializer()));
        for (int r = 0; r < reads.size(); r++) {
          var read = reads.get(r);
          assertThat(read(read.apply(heap)))
              .as("read %d (from %s, to %s, prefixes %s and %s)", r, from, to, prefix, shortPrefix)
              .isEqualTo(read(read.apply(reference)));
        }
        assertThat(heap.approximateNumEntries()).isEqualTo(reference.approximateNumEntries());
      }
    }
  }

  @Test
  void aScanDeletesWhatItPassesAndSeesWhatComesAfter() {
    KeyValueStore<Bytes, byte[]> heap = heap();
    for (int i = 0; i < 100; i++) {
      heap.put(Bytes.wrap(new byte[] {1, (byte) i}), new byte[0]);
    }
    int scanned = 0;
    try (KeyValueIterator<Bytes, byte[]> oldestFirst =
        heap.range(Bytes.wrap(new byte[] {1}), null)) {
      while (oldestFirst.hasNext()) {
        Bytes oldest = oldestFirst.next().key;
        heap.delete(oldest);
        if (scanned++ == 0) {
          heap.put(Bytes.wrap(new byte[] {1, (byte) 200}), new byte[0]); // a touch during the scan
        }
      }
    }
    assertThat(scanned).isEqualTo(101);
    assertThat(heap.approximateNumEntries()).isZero();
  }

  @Test
  void theAllOnesPrefixHasNoBound() {
    KeyValueStore<Bytes, byte[]> heap = heap();
    heap.put(Bytes.wrap(new byte[] {(byte) 0xFE}), "below".getBytes());
    heap.put(Bytes.wrap(new byte[] {(byte) 0xFF}), "equal".getBytes());
    heap.put(Bytes.wrap(new byte[] {(byte) 0xFF, 0}), "under".getBytes());
    assertThat(read(heap.prefixScan(Bytes.wrap(new byte[] {(byte) 0xFF}), new BytesSerializer())))
        .containsExactly("\\xFF=equal", "\\xFF\\x00=under");
  }

  @Test
  void closingDropsEverything() {
    KeyValueStore<Bytes, byte[]> heap = heap();
    heap.put(Bytes.wrap(new byte[] {1}), new byte[] {2});
    heap.close();
    assertThat(heap.isOpen()).isFalse();
    assertThat(heap.approximateNumEntries()).isZero();
    assertThat(heap.persistent()).isFalse();
  }
}
