package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** tracked-pairs-store: RocksDB unless told, validated at start, and never a bound the heap cannot hold. */
class TrackedPairsStoreTest {
  private static final long GB = 1_000_000_000L;

  @Test
  void rocksdbUnlessTold() {
    assertThat(new UpcallStreamsConfig(Map.of()).trackedPairsStore())
        .isEqualTo(TrackedPairsStore.ROCKSDB);
    UpcallStreamsConfig inMemory =
        new UpcallStreamsConfig(
            Map.of("tracked-pairs-store", "In-Memory", "max-tracked-pairs", "1000"));
    assertThat(inMemory.trackedPairsStore()).isEqualTo(TrackedPairsStore.IN_MEMORY);
    assertThat(inMemory.streamsProperties()).doesNotContainKey("tracked-pairs-store");
  }

  @Test
  void anUnknownStoreStopsStartNamingTheOption() {
    assertThatThrownBy(() -> new UpcallStreamsConfig(Map.of("tracked-pairs-store", "lmdb")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracked-pairs-store")
        .hasMessageContaining("rocksdb or in-memory");
  }

  @Test
  void onTheHeapTheBoundMustFitInHalfTheMaximumHeap() {
    long fits = 2 * GB / TrackedPairsStore.HEAP_BYTES_PER_PAIR; // half of a 4 GB heap
    assertThatCode(() -> TrackedPairsStore.IN_MEMORY.checkFits(fits, 4 * GB))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> TrackedPairsStore.IN_MEMORY.checkFits(fits + 1, 4 * GB))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracked-pairs-store=in-memory")
        .hasMessageContaining("max-tracked-pairs=" + (fits + 1))
        .hasMessageContaining("at most " + fits)
        .hasMessageContaining("-Xmx");
    assertThatCode(() -> TrackedPairsStore.ROCKSDB.checkFits(Long.MAX_VALUE, 4 * GB))
        .doesNotThrowAnyException();
  }

  @Test
  void theDefaultBoundOnTheHeapIsRefusedAtStartWhenThisJvmCannotHoldIt() {
    Map<String, String> tenMillionOnTheHeap = Map.of("tracked-pairs-store", "in-memory");
    boolean fits =
        TrackingBound.MAX_TRACKED_PAIRS_DEFAULT * TrackedPairsStore.HEAP_BYTES_PER_PAIR
            <= Runtime.getRuntime().maxMemory() / 2;
    if (fits) {
      assertThatCode(() -> new UpcallStreamsConfig(tenMillionOnTheHeap)).doesNotThrowAnyException();
    } else {
      assertThatThrownBy(() -> new UpcallStreamsConfig(tenMillionOnTheHeap))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("max-tracked-pairs=10000000");
    }
    assertThatThrownBy(
            () ->
                new UpcallStreamsConfig(
                    Map.of(
                        "tracked-pairs-store", "in-memory", "max-tracked-pairs", "1000000000000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max-tracked-pairs");
  }
}
