package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class ExpirySweepTest {
  private static final int ENTRIES = 5_000;

  private static KeyValueStore<Bytes, Long> storeOf(int entries) {
    KeyValueStore<Bytes, Long> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("sweep"), Serdes.Bytes(), Serdes.Long())
            .withLoggingDisabled()
            .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    for (int i = 0; i < entries; i++) {
      store.put(Bytes.wrap(String.format("key-%05d", i).getBytes()), (long) i);
    }
    return store;
  }

  private static int size(KeyValueStore<Bytes, Long> store) {
    int count = 0;
    try (var all = store.all()) {
      while (all.hasNext()) {
        all.next();
        count++;
      }
    }
    return count;
  }

  @Test
  void aSweepWithTimeLeftCoversTheWholeStoreInOneCall() {
    KeyValueStore<Bytes, Long> store = storeOf(ENTRIES);
    ExpirySweep<Long> sweep = new ExpirySweep<>(store, Duration.ofMillis(10), () -> 0L);
    assertThat(sweep.sweep(value -> value % 2 == 0)).isEqualTo(ENTRIES / 2);
    assertThat(sweep.completedRound()).isTrue();
    assertThat(size(store)).isEqualTo(ENTRIES / 2);
  }

  @Test
  void aSweepOutOfTimeStopsAfterTheMinimumAndTheNextResumesThere() {
    KeyValueStore<Bytes, Long> store = storeOf(ENTRIES);
    AtomicLong clock = new AtomicLong();
    // Every look at the clock finds a whole second gone: each call does only its minimum.
    ExpirySweep<Long> sweep =
        new ExpirySweep<>(store, Duration.ofMillis(10), () -> clock.addAndGet(1_000_000_000L));
    int calls = 0;
    int deleted = 0;
    do {
      deleted += sweep.sweep(value -> true);
      calls++;
    } while (!sweep.completedRound());
    assertThat(calls).isEqualTo((ENTRIES + ExpirySweep.MIN_ENTRIES - 1) / ExpirySweep.MIN_ENTRIES);
    assertThat(deleted).isEqualTo(ENTRIES);
    assertThat(size(store)).isZero();
  }
}
