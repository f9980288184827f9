package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
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

  /** Keys key-00000 … hold seconds 0 … : with a horizon of 10 s, key-i expires at second i + 11. */
  @Test
  void aRoundStartsOnlyOnceTheOldestEntryKeptCanHaveExpired() {
    KeyValueStore<Bytes, Long> store = storeOf(ENTRIES);
    AtomicLong examined = new AtomicLong();
    ExpirySweep<Long> sweep = new ExpirySweep<>(store, Duration.ofMillis(10), () -> 0L);
    ToLongFunction<Long> second =
        value -> {
          examined.incrementAndGet();
          return value;
        };
    assertThat(sweep.sweepWhenDue(100, 10, second)).as("seconds 0 to 89 are gone").isEqualTo(90);
    assertThat(sweep.completedRound()).isTrue();

    examined.set(0);
    assertThat(sweep.sweepWhenDue(100, 10, second)).isZero();
    assertThat(examined).as("nothing can have expired before second 101").hasValue(0);
    assertThat(sweep.sweepWhenDue(101, 10, second)).as("second 90 expires at 101").isEqualTo(1);
    assertThat(examined).hasValue(ENTRIES - 90);
  }

  @Test
  void anEntryWrittenOlderThanTheOldestKeptMakesTheNextRoundDueSooner() {
    KeyValueStore<Bytes, Long> store = storeOf(ENTRIES);
    ExpirySweep<Long> sweep = new ExpirySweep<>(store, Duration.ofMillis(10), () -> 0L);
    sweep.sweepWhenDue(100, 10, value -> value);
    store.put(Bytes.wrap("key-late".getBytes()), 50L);
    sweep.written(50);
    assertThat(sweep.sweepWhenDue(100, 10, value -> value))
        .as("second 50 is more than 10 s before 100")
        .isEqualTo(1);
  }

  @Test
  void aNewHorizonMakesARoundDueAtOnce() {
    KeyValueStore<Bytes, Long> store = storeOf(ENTRIES);
    ExpirySweep<Long> sweep = new ExpirySweep<>(store, Duration.ofMillis(10), () -> 0L);
    sweep.sweepWhenDue(100, 10, value -> value);
    assertThat(sweep.sweepWhenDue(100, 5, value -> value)).as("seconds 90 to 94").isEqualTo(5);
  }
}
