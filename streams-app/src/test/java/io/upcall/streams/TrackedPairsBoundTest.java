package io.upcall.streams;

import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.gfid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Fop;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * max-tracked-pairs: the tracked pairs stay within the bound, the least recently accessed go first, and a client
 * still fresh on an evicted pair is told FORGET for that inode, so no eviction leaves a cache stale; alike whether
 * the pairs live in RocksDB or on the heap.
 */
class TrackedPairsBoundTest {
  private static final Gfid F1 = gfid(101);
  private static final Gfid F2 = gfid(102);
  private static final Gfid F3 = gfid(103);
  private static final Gfid F4 = gfid(104);
  private static final Gfid F5 = gfid(105);

  @ParameterizedTest
  @EnumSource(TrackedPairsStore.class)
  void theLeastRecentlyAccessedPairIsEvictedAndItsFreshClientToldForget(TrackedPairsStore store) {
    try (UpcallDriver driver = bounded(3, store)) {
      driver.pipe(fop(Fop.STAT, "c1", F1, T0).build());
      driver.pipe(fop(Fop.STAT, "c2", F2, T0 + 1_000).build());
      driver.pipe(fop(Fop.STAT, "c3", F3, T0 + 2_000).build());
      assertThat(driver.invalidations()).isEmpty();

      driver.pipe(fop(Fop.STAT, "c4", F4, T0 + 3_000).build());

      List<Invalidation> told = driver.invalidations();
      assertThat(told)
          .extracting(
              Invalidation::getClient,
              i -> Gfids.format(i.getGfid()),
              Invalidation::getFlags,
              Invalidation::getCauseFopId)
          .containsExactly(
              Tuple.tuple("c1", Gfids.format(F1), UpcallFlag.FORGET.bit(), "max-tracked-pairs"));
      assertThat(driver.trackedOn(F1)).isEmpty();
      assertThat(driver.trackedPairs()).isEqualTo(3);

      // c1 is no longer told of F1's changes; it already dropped F1, so it fetches (and is tracked)
      // again.
      driver.pipe(fop(Fop.WRITE, "w", F1, T0 + 4_000).setStat(Fops.stat(1)).build());
      assertThat(driver.invalidations())
          .extracting(Invalidation::getClient, i -> Gfids.format(i.getGfid()))
          .containsExactly(Tuple.tuple("c2", Gfids.format(F2))); // w's pair evicted c2's
    }
  }

  @ParameterizedTest
  @EnumSource(TrackedPairsStore.class)
  void anAccessMovesAPairToTheBackOfTheEvictionOrder(TrackedPairsStore store) {
    try (UpcallDriver driver = bounded(3, store)) {
      driver.pipe(fop(Fop.STAT, "c1", F1, T0).build());
      driver.pipe(fop(Fop.STAT, "c2", F2, T0 + 1_000).build());
      driver.pipe(fop(Fop.STAT, "c3", F3, T0 + 2_000).build());
      driver.pipe(
          fop(Fop.LOOKUP, "c1", F1, T0 + 3_000).build()); // c1 accessed F1 again: now the newest

      driver.pipe(fop(Fop.STAT, "c4", F4, T0 + 4_000).build());

      assertThat(driver.invalidations()).extracting(Invalidation::getClient).containsExactly("c2");
      assertThat(driver.trackedOn(F1)).containsExactly("c1");
      assertThat(driver.trackedOn(F2)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TrackedPairsStore.class)
  void anEvictedPairThatIsNoLongerFreshIsDroppedSilently(TrackedPairsStore store) {
    try (UpcallDriver driver = bounded(2, store)) {
      driver.pipe(fop(Fop.STAT, "c1", F1, T0).build());
      driver.pipe(fop(Fop.STAT, "c2", F2, T0 + 1_000).build());

      driver.pipe(
          fop(Fop.STAT, "c3", F3, T0 + 61_000)
              .build()); // 61 s later: c1 is not fresh on F1 (T = 60)

      assertThat(driver.invalidations()).isEmpty();
      assertThat(driver.trackedOn(F1)).isEmpty();
      assertThat(driver.trackedPairs()).isEqualTo(2);
    }
  }

  @Test
  void theBoundIsSharedByTheTasks() {
    assertThat(
            new UpcallStreamsConfig(Map.of("max-tracked-pairs", "10")).trackingBound(4).perTask())
        .isEqualTo(3);
    assertThat(new UpcallStreamsConfig(Map.of()).trackingBound(12).perTask())
        .isEqualTo((TrackingBound.MAX_TRACKED_PAIRS_DEFAULT + 11) / 12);
    assertThat(new UpcallStreamsConfig(Map.of("max-tracked-pairs", 1)).trackingBound(4).perTask())
        .isEqualTo(1);
  }

  @Test
  void theOptionIsValidatedAtStartAndKeptFromKafka() {
    assertThatThrownBy(() -> new UpcallStreamsConfig(Map.of("max-tracked-pairs", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max-tracked-pairs");
    UpcallStreamsConfig config = new UpcallStreamsConfig(Map.of("max-tracked-pairs", "5000000"));
    assertThat(config.streamsProperties()).doesNotContainKey("max-tracked-pairs");
    assertThat(config.trackingBound(12).perTask()).isEqualTo(416_667);
  }

  @ParameterizedTest
  @EnumSource(TrackedPairsStore.class)
  void expiryDropsIdlePairsAndTheirPlaceInTheOrder(TrackedPairsStore store) {
    try (UpcallDriver driver = bounded(3, store)) {
      driver.pipe(fop(Fop.STAT, "c1", F1, T0).build());
      driver.pipe(fop(Fop.STAT, "c2", F2, T0 + 1_000).build());
      driver.advanceWallClockTo(T0 + 125_000); // 2·T after both accesses (and then some)
      driver.pipe(fop(Fop.STAT, "c3", F3, T0 + 125_000).build());
      driver.pipe(fop(Fop.STAT, "c4", F4, T0 + 126_000).build());
      driver.pipe(fop(Fop.STAT, "c5", F5, T0 + 127_000).build());

      assertThat(driver.invalidations()).as("room freed by expiry, nobody evicted").isEmpty();
      assertThat(driver.trackedPairs()).isEqualTo(3);
    }
  }

  private static UpcallDriver bounded(long maxPairs, TrackedPairsStore store) {
    return new UpcallDriver(
        Switches.DEFAULTS,
        Instant.ofEpochMilli(T0),
        1,
        Map.of("max-tracked-pairs", maxPairs, "tracked-pairs-store", store.text()));
  }
}
