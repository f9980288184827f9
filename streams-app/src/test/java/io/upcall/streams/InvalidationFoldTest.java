package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.UpcallFlag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The fold rule, flag by flag: for an earlier invalidation carrying one flag (row) and a later one carrying one flag
 * (column), whether they travel as one, and which. Whether folding leaves a client's cache as both would is checked
 * against the real cache in consumer-lib's BatchedCacheStateTest.
 */
class InvalidationFoldTest {
  private static final AtomicLong NEXT = new AtomicLong();

  /**
   * Rows: the earlier flag; columns in UpcallFlag order (NLINK MODE OWN SIZE TIMES ATIME PERM RENAME FORGET
   * PARENT_TIMES XATTR XATTR_RM). U: union of both; A: the earlier alone; B: the later alone; -: stay two.
   */
  private static final Map<UpcallFlag, String> RULE =
      new EnumMap<>(
          Map.ofEntries(
              Map.entry(UpcallFlag.NLINK, "B A A A A A A B B - A A"),
              Map.entry(UpcallFlag.MODE, "B U U U U U U B B - U U"),
              Map.entry(UpcallFlag.OWN, "B U U U U U U B B - U U"),
              Map.entry(UpcallFlag.SIZE, "B U U U U U U B B - U U"),
              Map.entry(UpcallFlag.TIMES, "B U U U U U U B B - U U"),
              Map.entry(UpcallFlag.ATIME, "B U U U U U U B B - U U"),
              Map.entry(UpcallFlag.PERM, "B U U U U U U B B - U U"),
              Map.entry(UpcallFlag.RENAME, "B A A A A A A B B - A A"),
              Map.entry(UpcallFlag.FORGET, "B A A A A A A B B - A A"),
              Map.entry(UpcallFlag.PARENT_TIMES, "- - - - - - - - - - - -"),
              Map.entry(UpcallFlag.XATTR, "B U U U U U U B B - U -"),
              Map.entry(UpcallFlag.XATTR_RM, "B - - - - - - B B - - U")));

  @Test
  void theRuleFlagByFlag() {
    List<String> mismatches = new ArrayList<>();
    for (UpcallFlag earlierFlag : UpcallFlag.values()) {
      String[] row = RULE.get(earlierFlag).split(" ");
      for (UpcallFlag laterFlag : UpcallFlag.values()) {
        Invalidation earlier = carrying(earlierFlag, 1, "user.a");
        Invalidation later = carrying(laterFlag, 2, "user.b");
        Invalidation folded = InvalidationFold.fold(earlier, later);
        String actual =
            folded == null ? "-" : folded == later ? "B" : sameContent(folded, earlier) ? "A" : "U";
        if ("A".equals(actual)) {
          assertThat(folded.getEventTimeMs())
              .as("stamped as of the later change")
              .isEqualTo(later.getEventTimeMs());
          assertThat(folded.getCauseFopId()).isEqualTo(later.getCauseFopId());
        }
        String expected = row[laterFlag.ordinal()];
        if (!actual.equals(expected)) {
          mismatches.add(
              earlierFlag + " then " + laterFlag + ": " + actual + ", expected " + expected);
        }
        if ("U".equals(actual)) {
          assertThat(folded.getFlags()).isEqualTo(earlierFlag.bit() | laterFlag.bit());
        }
      }
    }
    assertThat(mismatches).isEmpty();
  }

  @Test
  void theFoldedStatIsTheNewerByCtimeAndTheLaterOnATie() {
    Invalidation older = carrying(UpcallFlag.SIZE, 1, null);
    Invalidation newer = carrying(UpcallFlag.TIMES, 2, null);
    assertThat(InvalidationFold.fold(older, newer).getStat().getCtimeSec()).isEqualTo(2);
    assertThat(InvalidationFold.fold(newer, older).getStat().getCtimeSec())
        .as("a later, older stat")
        .isEqualTo(2);
    Invalidation tie = carrying(UpcallFlag.MODE, 2, null);
    tie.getStat().setSize(99L);
    assertThat(InvalidationFold.fold(newer, tie).getStat().getSize()).isEqualTo(99L);
  }

  @Test
  void xattrNamesMergeWithTheLaterValueWinning() {
    Invalidation earlier =
        withXattrs(
            UpcallFlag.XATTR, new Xattr("user.a", buffer("1")), new Xattr("user.b", buffer("1")));
    Invalidation later =
        withXattrs(UpcallFlag.XATTR, new Xattr("user.b", buffer("2")), new Xattr("user.c", null));
    Invalidation folded = InvalidationFold.fold(earlier, later);
    assertThat(folded.getXattrs())
        .extracting(Xattr::getName)
        .containsExactly("user.a", "user.b", "user.c");
    assertThat(folded.getXattrs().get(1).getValue()).isEqualTo(buffer("2"));
    assertThat(folded.getXattrs().get(2).getValue()).isNull();
  }

  @Test
  void changesThatMayEmptyAnEntryOrClearAStatOrResetTheCacheStayTwo() {
    Invalidation removesAValue = withXattrs(UpcallFlag.XATTR, new Xattr("user.a", null));
    assertThat(
            InvalidationFold.fold(
                removesAValue, withXattrs(UpcallFlag.XATTR, new Xattr("user.b", buffer("1")))))
        .as("an earlier removal, then a setting")
        .isNull();
    assertThat(InvalidationFold.fold(removesAValue, carrying(UpcallFlag.SIZE, 1, null)))
        .as("an earlier removal, then a stat")
        .isNull();
    assertThat(
            InvalidationFold.fold(withXattrs(UpcallFlag.XATTR), carrying(UpcallFlag.SIZE, 1, null)))
        .as("XATTR without names drops them all")
        .isNull();
    Invalidation clears = carrying(UpcallFlag.SIZE, 1, null);
    clears.setStat(null);
    assertThat(InvalidationFold.fold(clears, carrying(UpcallFlag.SIZE, 2, null)))
        .as("a stat flag, no stat")
        .isNull();
    Invalidation lowerTimeout = carrying(UpcallFlag.SIZE, 2, null);
    lowerTimeout.setExpireTimeSeconds(5);
    assertThat(InvalidationFold.fold(carrying(UpcallFlag.SIZE, 1, null), lowerTimeout))
        .as("another timeout")
        .isNull();
    Invalidation unknownBit = carrying(UpcallFlag.SIZE, 2, null);
    unknownBit.setFlags(0x1000 | UpcallFlag.SIZE.bit());
    assertThat(InvalidationFold.fold(carrying(UpcallFlag.SIZE, 1, null), unknownBit))
        .as("an unknown flag bit")
        .isNull();
  }

  private static boolean sameContent(Invalidation a, Invalidation b) {
    return a.getFlags() == b.getFlags()
        && Objects.equals(a.getStat(), b.getStat())
        && a.getXattrs().equals(b.getXattrs())
        && Objects.equals(a.getParent(), b.getParent());
  }

  private static Invalidation carrying(UpcallFlag flag, long ctimeSec, String xattrName) {
    Invalidation invalidation =
        withXattrs(
            flag,
            xattrName == null || (flag != UpcallFlag.XATTR && flag != UpcallFlag.XATTR_RM)
                ? new Xattr[0]
                : new Xattr[] {new Xattr(xattrName, buffer("v"))});
    invalidation.setStat(Iatt.newBuilder(Fops.stat(ctimeSec)).setCtimeSec(ctimeSec).build());
    if (flag == UpcallFlag.PARENT_TIMES || flag == UpcallFlag.RENAME) {
      invalidation.setParent(Fops.gfid(100));
      invalidation.setParentStat(Fops.stat(7));
    }
    return invalidation;
  }

  private static Invalidation withXattrs(UpcallFlag flag, Xattr... xattrs) {
    Gfid gfid = Fops.FILE;
    return new Invalidation(
        "",
        gfid,
        flag.bit(),
        "vol",
        Fops.stat(1),
        null,
        null,
        null,
        null,
        List.of(xattrs),
        60,
        Fops.T0 + NEXT.incrementAndGet(),
        "brick-1",
        "fop-" + NEXT.get());
  }

  private static ByteBuffer buffer(String value) {
    return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
  }
}
