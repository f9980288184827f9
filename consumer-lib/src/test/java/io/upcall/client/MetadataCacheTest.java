package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MetadataCacheTest {
  private static final Duration BOUND = Duration.ofSeconds(2);
  private static final Duration SKEW = Duration.ofMillis(100);
  private static final Gfid FILE = gfid(1);
  private static final Gfid DIR = gfid(2);
  private static final Gfid OLD_DIR = gfid(3);

  private final FakeTime time = new FakeTime();
  private MetadataCache cache;

  @BeforeEach
  void freshCache() {
    cache = MetadataCache.builder().ticker(time).clock(time).build();
    cache.attach(BOUND, SKEW);
    cache.xattrInterest(XattrPatterns.of(List.of("user.*", "system.posix_acl_*")));
    proveFreshNow();
  }

  // ---- freshness

  @Test
  void servesNothingUntilAClientProvesItFresh() {
    MetadataCache unattached = MetadataCache.builder().ticker(time).clock(time).build();
    unattached.putStat(unattached.beginFetch(FILE), stat(10, 100));

    assertThat(unattached.stat(FILE)).isEmpty();
    assertThat(unattached.stats().unfreshMisses()).isEqualTo(1);
  }

  @Test
  void servesAFilledStatWhileFresh() {
    cache.putStat(cache.beginFetch(FILE), stat(10, 100));

    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(100));
  }

  @Test
  void servesMissesOnceFreshAsOfFallsBehindTheBoundAndServesAgainWhenProvenFresh() {
    cache.putStat(cache.beginFetch(FILE), stat(10, 100));
    time.advance(BOUND.minus(SKEW));
    assertThat(cache.stat(FILE)).isPresent();

    time.advance(Duration.ofMillis(1));
    assertThat(cache.stat(FILE)).isEmpty();
    assertThat(cache.isFresh()).isFalse();

    proveFreshNow();
    assertThat(cache.stat(FILE)).isPresent();
  }

  @Test
  void chargesTheClockSkewAllowanceAgainstTheBound() {
    cache.putStat(cache.beginFetch(FILE), stat(10, 100));
    cache.freshness().provenUpTo(time.nowMs() - BOUND.toMillis());

    assertThat(cache.stat(FILE)).isEmpty();
    assertThat(cache.stats().freshAsOfAge()).contains(BOUND);
  }

  @Test
  void servesNothingAfterTheClientLosesFreshness() {
    cache.putStat(cache.beginFetch(FILE), stat(10, 100));
    cache.freshness().lose();

    assertThat(cache.stat(FILE)).isEmpty();
    assertThat(cache.freshAsOf()).isEmpty();
  }

  @Test
  void canBeFedByOneClientOnly() {
    assertThatThrownBy(() -> cache.attach(BOUND, SKEW)).isInstanceOf(IllegalStateException.class);
  }

  // ---- the client's cache rules (docs/semantics.md)

  @Test
  void statFlagReplacesTheCachedStatWithTheCarriedOne() {
    fillStat(FILE, stat(10, 100));

    cache.apply(
        invalidation(FILE, UpcallFlag.SIZE, UpcallFlag.TIMES).setStat(stat(11, 200)).build());

    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(200));
  }

  @Test
  void statFlagWithTheSameCtimeStillReplacesTheStat() {
    fillStat(FILE, stat(10, 100));

    cache.apply(invalidation(FILE, UpcallFlag.ATIME).setStat(stat(10, 100, 77)).build());

    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getAtimeSec()).isEqualTo(77));
  }

  @Test
  void statFlagKeepsTheCachedStatWhenTheCarriedOneIsOlderByCtime() {
    fillStat(FILE, stat(10, 100));

    Iatt older = stat(9, 50);
    older.setCtimeNsec(999_999_999);
    cache.apply(invalidation(FILE, UpcallFlag.SIZE).setStat(older).build());

    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(100));
  }

  @Test
  void statFlagComparesNanosecondsWhenSecondsAreEqual() {
    Iatt cached = stat(10, 100);
    cached.setCtimeNsec(500);
    fillStat(FILE, cached);

    Iatt older = stat(10, 50);
    older.setCtimeNsec(499);
    cache.apply(invalidation(FILE, UpcallFlag.SIZE).setStat(older).build());
    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(100));

    Iatt newer = stat(10, 70);
    newer.setCtimeNsec(501);
    cache.apply(invalidation(FILE, UpcallFlag.SIZE).setStat(newer).build());
    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(70));
  }

  @ParameterizedTest
  @EnumSource(names = {"MODE", "OWN", "SIZE", "TIMES", "ATIME", "PERM"})
  void statFlagWithoutAStatDropsTheCachedStatButKeepsXattrs(UpcallFlag flag) {
    fillStat(FILE, stat(10, 100));
    fillXattrs(FILE, Map.of("user.a", bytes("1")));

    cache.apply(invalidation(FILE, flag).build());

    assertThat(cache.stat(FILE)).isEmpty();
    assertThat(cache.xattr(FILE, "user.a")).contains(bytes("1"));
  }

  @ParameterizedTest
  @EnumSource(names = {"NLINK", "RENAME", "FORGET"})
  void nlinkRenameAndForgetDropTheWholeInode(UpcallFlag flag) {
    fillStat(FILE, stat(10, 100));
    fillXattrs(FILE, Map.of("user.a", bytes("1")));

    cache.apply(invalidation(FILE, flag, UpcallFlag.TIMES).setStat(stat(11, 100)).build());

    assertThat(cache.stat(FILE)).isEmpty();
    assertThat(cache.xattr(FILE, "user.a")).isEmpty();
  }

  @Test
  void parentTimesAppliesTheParentStatToTheCachedParent() {
    fillStat(FILE, stat(10, 100));
    fillStat(DIR, stat(10, 4096));

    cache.apply(
        invalidation(FILE, UpcallFlag.NLINK, UpcallFlag.TIMES, UpcallFlag.PARENT_TIMES)
            .setParent(DIR)
            .setParentStat(stat(12, 8192))
            .build());

    assertThat(cache.stat(DIR)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(8192));
    assertThat(cache.stat(FILE)).isEmpty();
  }

  @Test
  void renameAppliesBothParentStatsAndDropsTheInode() {
    fillStat(FILE, stat(10, 100));
    fillStat(DIR, stat(10, 4096));
    fillStat(OLD_DIR, stat(10, 4096));

    cache.apply(
        invalidation(FILE, UpcallFlag.RENAME, UpcallFlag.PARENT_TIMES)
            .setParent(DIR)
            .setParentStat(stat(12, 8192))
            .setOldParent(OLD_DIR)
            .setOldParentStat(stat(12, 2048))
            .build());

    assertThat(cache.stat(DIR)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(8192));
    assertThat(cache.stat(OLD_DIR))
        .hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(2048));
    assertThat(cache.stat(FILE)).isEmpty();
  }

  @Test
  void parentTimesLeavesAnUncachedParentUncached() {
    cache.apply(
        invalidation(FILE, UpcallFlag.NLINK, UpcallFlag.PARENT_TIMES)
            .setParent(DIR)
            .setParentStat(stat(12, 8192))
            .build());

    assertThat(cache.stat(DIR)).isEmpty();
    assertThat(cache.stats().size()).isZero();
  }

  @Test
  void parentTimesWithoutAParentStatDropsTheCachedParentStat() {
    fillStat(DIR, stat(10, 4096));

    cache.apply(
        invalidation(FILE, UpcallFlag.NLINK, UpcallFlag.PARENT_TIMES).setParent(DIR).build());

    assertThat(cache.stat(DIR)).isEmpty();
  }

  @Test
  void xattrMergesTheCarriedValuesAndDropsNamesWithoutValues() {
    fillXattrs(FILE, Map.of("user.a", bytes("1"), "user.b", bytes("2"), "user.c", bytes("3")));

    cache.apply(
        invalidation(FILE, UpcallFlag.XATTR)
            .setXattrs(List.of(xattr("user.a", "9"), xattr("user.b", null), xattr("user.d", "4")))
            .build());

    assertThat(cache.xattr(FILE, "user.a")).contains(bytes("9"));
    assertThat(cache.xattr(FILE, "user.b")).isEmpty();
    assertThat(cache.xattr(FILE, "user.c")).contains(bytes("3"));
    assertThat(cache.xattr(FILE, "user.d")).contains(bytes("4"));
  }

  @Test
  void xattrWithoutNamesDropsEveryCachedXattrSinceTheModeChanged() {
    fillStat(FILE, stat(10, 100));
    fillXattrs(FILE, Map.of("system.posix_acl_access", bytes("acl")));

    cache.apply(
        invalidation(FILE, UpcallFlag.MODE, UpcallFlag.XATTR).setStat(stat(11, 100)).build());

    assertThat(cache.xattr(FILE, "system.posix_acl_access")).isEmpty();
    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getCtimeSec()).isEqualTo(11));
  }

  @Test
  void xattrRmDeletesTheNamedXattrs() {
    fillXattrs(FILE, Map.of("user.a", bytes("1"), "user.b", bytes("2")));

    cache.apply(
        invalidation(FILE, UpcallFlag.XATTR_RM).setXattrs(List.of(xattr("user.a", null))).build());

    assertThat(cache.xattr(FILE, "user.a")).isEmpty();
    assertThat(cache.xattr(FILE, "user.b")).contains(bytes("2"));
  }

  @Test
  void unknownFlagBitsDropTheInodeToStaySafe() {
    fillStat(FILE, stat(10, 100));

    cache.apply(invalidation(FILE).setFlags(0x1000).build());

    assertThat(cache.stat(FILE)).isEmpty();
  }

  // ---- the fill/invalidate race

  @Test
  void fillBegunBeforeAnInvalidationIsRefusedAfterIt() {
    FetchToken token = cache.beginFetch(FILE); // the server answers with the old stat...
    cache.apply(invalidation(FILE, UpcallFlag.SIZE).build()); // ...but the change lands first

    assertThat(cache.putStat(token, stat(10, 100))).isFalse();
    assertThat(cache.stat(FILE)).isEmpty();
    assertThat(cache.stats().refusedFills()).isEqualTo(1);
  }

  @Test
  void fillBegunBeforeAParentInvalidationIsRefused() {
    FetchToken token = cache.beginFetch(DIR);
    cache.apply(
        invalidation(FILE, UpcallFlag.NLINK, UpcallFlag.PARENT_TIMES)
            .setParent(DIR)
            .setParentStat(stat(12, 8192))
            .build());

    assertThat(cache.putStat(token, stat(10, 4096))).isFalse();
  }

  @Test
  void fillBegunAfterAnInvalidationIsAccepted() {
    cache.apply(invalidation(FILE, UpcallFlag.SIZE).build());
    FetchToken token = cache.beginFetch(FILE);

    assertThat(cache.putStat(token, stat(11, 200))).isTrue();
    assertThat(cache.stat(FILE)).isPresent();
  }

  @Test
  void invalidationOfAnotherInodeDoesNotRefuseTheFill() {
    FetchToken token = cache.beginFetch(FILE);
    cache.apply(invalidation(DIR, UpcallFlag.SIZE).build());

    assertThat(cache.putStat(token, stat(10, 100))).isTrue();
  }

  @Test
  void concurrentFillsOfTheSameInodeAreBothAccepted() {
    FetchToken first = cache.beginFetch(FILE);
    FetchToken second = cache.beginFetch(FILE);

    assertThat(cache.putStat(second, stat(11, 200))).isTrue();
    assertThat(cache.putStat(first, stat(10, 100))).isTrue();
    // The older answer arrived last, but ctime keeps the newer one.
    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(200));
  }

  @Test
  void fillBegunBeforeInvalidateAllIsRefusedAndEverythingIsDropped() {
    fillStat(DIR, stat(10, 4096));
    FetchToken token = cache.beginFetch(FILE);

    cache.invalidateAll();

    assertThat(cache.putStat(token, stat(10, 100))).isFalse();
    assertThat(cache.stat(DIR)).isEmpty();
    assertThat(cache.stats().resets()).isEqualTo(1);
  }

  @Test
  void losingTheGenerationOfAFetchInFlightRefusesItsFillInsteadOfAdmittingIt() {
    MetadataCache quick =
        MetadataCache.builder()
            .fetchTimeout(Duration.ofSeconds(5))
            .ticker(time)
            .clock(time)
            .build();
    quick.attach(BOUND, SKEW);
    FetchToken stale = quick.beginFetch(FILE);
    time.advance(Duration.ofSeconds(6)); // its generation entry expires
    quick.freshness().provenUpTo(time.nowMs());
    quick.apply(
        invalidation(FILE, UpcallFlag.SIZE).build()); // nothing in flight is remembered to bump
    FetchToken fresh = quick.beginFetch(FILE); // recreates the entry with a newer generation

    assertThat(quick.putStat(stale, stat(10, 100))).isFalse();
    assertThat(quick.putStat(fresh, stat(11, 200))).isTrue();
  }

  @Test
  void evictingGenerationsUnderSizePressureNeverAdmitsAStaleFill() {
    MetadataCache small = MetadataCache.builder().maximumSize(2).ticker(time).clock(time).build();
    small.attach(BOUND, SKEW);
    small.freshness().provenUpTo(time.nowMs());
    FetchToken stale = small.beginFetch(FILE);
    small.apply(invalidation(FILE, UpcallFlag.SIZE).build());
    for (int i = 10; i < 100; i++) {
      small.beginFetch(gfid(i)); // pushes FILE's generation out
    }

    assertThat(small.putStat(stale, stat(10, 100))).isFalse();
    assertThat(small.stat(FILE)).isEmpty();
  }

  @Test
  void rejectsATokenIssuedByAnotherCache() {
    FetchToken foreign = MetadataCache.builder().build().beginFetch(FILE);

    assertThatThrownBy(() -> cache.putStat(foreign, stat(10, 100)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keepsOnlyTheXattrsTheClientRegisteredInterestIn() {
    fillXattrs(FILE, Map.of("user.a", bytes("1"), "trusted.glusterfs.dht", bytes("x")));

    assertThat(cache.xattr(FILE, "user.a")).contains(bytes("1"));
    assertThat(cache.xattr(FILE, "trusted.glusterfs.dht")).isEmpty();
  }

  @Test
  void narrowingTheRegisteredPatternsDropsXattrsNoLongerWatched() {
    fillXattrs(FILE, Map.of("user.a", bytes("1"), "system.posix_acl_access", bytes("acl")));

    cache.xattrInterest(XattrPatterns.of(List.of("system.*")));

    assertThat(cache.xattr(FILE, "user.a")).isEmpty();
    assertThat(cache.xattr(FILE, "system.posix_acl_access")).contains(bytes("acl"));
  }

  // ---- lifetime

  @Test
  void entryLivesNoLongerThanTheServerTracksTheClient() {
    FetchToken token = cache.beginFetch(FILE);
    time.advance(
        Duration.ofSeconds(1)); // the server's answer takes a while; tracking began at the request
    cache.putStat(token, stat(10, 100));
    long trackedMs =
        MetadataCache.DEFAULT_INVALIDATION_TIMEOUT.toMillis() - 1_000 - 2 * SKEW.toMillis();

    time.advance(Duration.ofMillis(trackedMs - 1_000 - 1));
    proveFreshNow();
    assertThat(cache.stat(FILE)).isPresent();

    time.advance(Duration.ofMillis(1));
    proveFreshNow();
    assertThat(cache.stat(FILE)).isEmpty();
  }

  @Test
  void invalidationsUpdateAnEntryWithoutExtendingItsLife() {
    fillStat(FILE, stat(10, 100));
    time.advance(Duration.ofSeconds(50));
    cache.apply(invalidation(FILE, UpcallFlag.SIZE).setStat(stat(11, 200)).build());

    time.advance(Duration.ofSeconds(9));
    proveFreshNow();

    assertThat(cache.stat(FILE)).isEmpty();
  }

  @Test
  void aLaterFillRenewsTheWholeEntry() {
    fillStat(FILE, stat(10, 100));
    time.advance(Duration.ofSeconds(50));
    fillXattrs(FILE, Map.of("user.a", bytes("1")));

    time.advance(Duration.ofSeconds(50));
    proveFreshNow();

    assertThat(cache.stat(FILE)).isPresent();
  }

  @Test
  void entryExpiresAtTheTimeToLiveWhenThatIsShorter() {
    MetadataCache shortLived =
        MetadataCache.builder().timeToLive(Duration.ofSeconds(5)).ticker(time).clock(time).build();
    shortLived.attach(BOUND, SKEW);
    shortLived.putStat(shortLived.beginFetch(FILE), stat(10, 100));

    time.advance(Duration.ofSeconds(5));
    shortLived.freshness().provenUpTo(time.nowMs());

    assertThat(shortLived.stat(FILE)).isEmpty();
  }

  @Test
  void aLowerTimeoutInForceResetsTheCache() {
    fillStat(FILE, stat(10, 100));
    fillStat(DIR, stat(10, 4096));

    cache.apply(
        invalidation(FILE, UpcallFlag.ATIME)
            .setStat(stat(10, 100))
            .setExpireTimeSeconds(10)
            .build());

    assertThat(cache.stat(DIR)).isEmpty();
    fillStat(DIR, stat(10, 4096));
    time.advance(Duration.ofSeconds(9));
    proveFreshNow();
    assertThat(cache.stat(DIR)).isEmpty();
  }

  // ---- values and counters

  @Test
  void returnedValuesCannotChangeTheCache() {
    fillStat(FILE, stat(10, 100));
    fillXattrs(FILE, Map.of("user.a", bytes("1")));

    cache.stat(FILE).orElseThrow().setSize(1);

    assertThat(cache.stat(FILE)).hasValueSatisfying(s -> assertThat(s.getSize()).isEqualTo(100));
    assertThat(cache.xattr(FILE, "user.a").orElseThrow().isReadOnly()).isTrue();
  }

  @Test
  void countsHitsMissesFillsAndInvalidationsByFlag() {
    fillStat(FILE, stat(10, 100));
    cache.stat(FILE);
    cache.stat(DIR);
    cache.apply(
        invalidation(FILE, UpcallFlag.SIZE, UpcallFlag.TIMES).setStat(stat(11, 100)).build());
    cache.apply(invalidation(FILE, UpcallFlag.FORGET).build());

    CacheStats stats = cache.stats();
    assertThat(stats.hits()).isEqualTo(1);
    assertThat(stats.misses()).isEqualTo(1);
    assertThat(stats.fills()).isEqualTo(1);
    assertThat(stats.invalidations()).isEqualTo(2);
    assertThat(stats.invalidationsByFlag())
        .containsEntry(UpcallFlag.SIZE, 1L)
        .containsEntry(UpcallFlag.TIMES, 1L)
        .containsEntry(UpcallFlag.FORGET, 1L)
        .containsEntry(UpcallFlag.NLINK, 0L);
    assertThat(stats.freshAsOfAge()).contains(Duration.ZERO);
  }

  // ---- helpers

  private void proveFreshNow() {
    cache.freshness().provenUpTo(time.nowMs());
  }

  private void fillStat(Gfid gfid, Iatt stat) {
    assertThat(cache.putStat(cache.beginFetch(gfid), stat)).isTrue();
  }

  private void fillXattrs(Gfid gfid, Map<String, ByteBuffer> values) {
    assertThat(cache.putXattrs(cache.beginFetch(gfid), values)).isTrue();
  }

  static Gfid gfid(long n) {
    return Gfids.of(new UUID(0x5eed, n));
  }

  static Iatt stat(long ctimeSec, long size) {
    return stat(ctimeSec, size, ctimeSec);
  }

  static Iatt stat(long ctimeSec, long size, long atimeSec) {
    return Iatt.newBuilder()
        .setType(IaType.REG)
        .setMode(0644)
        .setUid(0)
        .setGid(0)
        .setNlink(1)
        .setSize(size)
        .setBlocks((size + 511) / 512)
        .setAtimeSec(atimeSec)
        .setAtimeNsec(0)
        .setMtimeSec(ctimeSec)
        .setMtimeNsec(0)
        .setCtimeSec(ctimeSec)
        .setCtimeNsec(0)
        .build();
  }

  static Invalidation.Builder invalidation(Gfid gfid, UpcallFlag... flags) {
    return Invalidation.newBuilder()
        .setClient("client-b")
        .setGfid(gfid)
        .setFlags(UpcallFlag.mask(flags))
        .setExpireTimeSeconds(60)
        .setEventTimeMs(0);
  }

  static Xattr xattr(String name, String value) {
    return new Xattr(name, value == null ? null : bytes(value));
  }

  static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }
}
