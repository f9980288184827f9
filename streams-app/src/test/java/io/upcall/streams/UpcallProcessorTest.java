package io.upcall.streams;

import static io.upcall.streams.Fops.DIR;
import static io.upcall.streams.Fops.FILE;
import static io.upcall.streams.Fops.OTHER_DIR;
import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.brief;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.names;
import static io.upcall.streams.Fops.stat;
import static io.upcall.streams.Fops.xattr;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The rules of docs/semantics.md beyond the per-fop table, each on the production topology. */
class UpcallProcessorTest {

  private static UpcallDriver driver(int timeoutSeconds) {
    return new UpcallDriver(new Switches(true, timeoutSeconds));
  }

  private static void lookup(UpcallDriver driver, String client, Gfid inode, long eventTimeMs) {
    driver.pipe(fop(Fop.LOOKUP, client, inode, eventTimeMs).build());
  }

  private static void write(UpcallDriver driver, String client, Gfid inode, long eventTimeMs) {
    driver.pipe(fop(Fop.WRITE, client, inode, eventTimeMs).setStat(stat(eventTimeMs)).build());
  }

  @Test
  void originatorIsNeverNotifiedOfItsOwnChangeButIsTrackedByIt() {
    try (UpcallDriver driver = driver(60)) {
      lookup(driver, "B", FILE, T0);
      write(driver, "A", FILE, T0 + 1_000);
      assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
      write(driver, "B", FILE, T0 + 2_000);
      assertThat(brief(driver.invalidations())).containsExactly("A 3 SIZE|TIMES");
    }
  }

  @Test
  void twoWritesAreNotCoalesced() {
    try (UpcallDriver driver = driver(60)) {
      lookup(driver, "B", FILE, T0);
      write(driver, "A", FILE, T0 + 1_000);
      write(driver, "A", FILE, T0 + 1_001);
      assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES", "B 3 SIZE|TIMES");
    }
  }

  @Nested
  class FreshnessBoundary {
    @Test
    void aClientIsFreshAtTMinusOneSecondsAndNotAtT() {
      try (UpcallDriver driver = driver(60)) {
        lookup(driver, "B", FILE, T0);
        write(driver, "A", FILE, T0 + 59_999);
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
        write(driver, "A", FILE, T0 + 60_000);
        assertThat(driver.invalidations()).isEmpty();
      }
    }

    @Test
    void secondsAreEventTimeFlooredNotMillisecondDifferences() {
      try (UpcallDriver driver = driver(60)) {
        lookup(driver, "B", FILE, T0 + 999);
        write(driver, "A", FILE, T0 + 60_000); // 59.001 s later, but 60 whole seconds apart
        assertThat(driver.invalidations()).isEmpty();
      }
    }

    @Test
    void timeoutZeroNotifiesNobodyButStillTracks() {
      try (UpcallDriver driver = driver(0)) {
        lookup(driver, "B", FILE, T0);
        write(driver, "A", FILE, T0);
        assertThat(driver.invalidations()).isEmpty();
        assertThat(driver.trackedPairs()).isEqualTo(2);

        driver.set(Switches.CACHE_INVALIDATION_TIMEOUT, "60");
        write(driver, "A", FILE, T0 + 500);
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
      }
    }
  }

  @Nested
  class Expiry {
    @Test
    void stateIdleFor2TOfWallClockIsDroppedWithoutAnyRecordArriving() {
      try (UpcallDriver driver = driver(5)) {
        lookup(driver, "B", FILE, T0);
        driver.pipe(fop(Fop.WRITE, "A", DIR, T0).setTxId("A:1").build());
        assertThat(driver.trackedPairs()).isEqualTo(2);
        assertThat(driver.storeSize(UpcallProcessor.INODE_META_STORE)).isEqualTo(1);
        assertThat(driver.storeSize(UpcallProcessor.TX_IDS_STORE)).isEqualTo(1);

        driver.advanceWallClockTo(T0 + 10_000); // exactly 2T: kept
        assertThat(driver.trackedPairs()).isEqualTo(2);

        driver.advanceWallClockTo(T0 + 11_000);
        assertThat(driver.trackedPairs()).isZero();
        assertThat(driver.storeSize(UpcallProcessor.INODE_META_STORE)).isZero();
        assertThat(driver.storeSize(UpcallProcessor.TX_IDS_STORE)).isZero();

        // Its event time would find B fresh, but it comes 7 s late: the state it needed is gone.
        write(driver, "A", FILE, T0 + 4_000);
        assertThat(driver.invalidations()).isEmpty();
      }
    }

    @Test
    void stateYoungerThan2TSurvivesThePunctuation() {
      try (UpcallDriver driver = driver(5)) {
        lookup(driver, "B", FILE, T0);
        driver.advanceWallClockTo(T0 + 9_000);
        write(driver, "A", FILE, T0 + 4_000);
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
      }
    }
  }

  @Test
  void forgetReachesEveryFreshClientTheOriginatorIncludedAndNoneOfThemIsTrackedAfterwards() {
    try (UpcallDriver driver = driver(60)) {
      lookup(driver, "C", FILE, T0 - 70_000);
      lookup(driver, "A", FILE, T0);
      lookup(driver, "B", FILE, T0);
      lookup(driver, "B", DIR, T0);
      driver.pipe(fop(Fop.UNLINK, "A", FILE, T0 + 1_000).setParent(DIR).setNlink(0).build());
      assertThat(brief(driver.invalidations()))
          .containsExactly("B 3 NLINK|TIMES|PARENT_TIMES", "A 3 FORGET", "B 3 FORGET", "B 1 TIMES");
      // C was not fresh, so it got no FORGET; it lingers until expiry for a late change older than
      // the forget.
      assertThat(driver.trackedOn(FILE))
          .as("tracked clients of the forgotten inode")
          .containsExactly("C");
      assertThat(driver.trackedOn(DIR)).containsExactly("A", "B");

      write(driver, "A", FILE, T0 + 2_000);
      assertThat(driver.invalidations()).isEmpty();
    }
  }

  @Nested
  class XattrPatterns {
    @Test
    void eachClientHearsOnlyTheNamesItsPatternsMatch() {
      try (UpcallDriver driver = driver(60)) {
        driver.register("B", "user.*");
        driver.register("C", "security.selinux");
        driver.register("E", "trusted.[ab]?", "nothing.here");
        for (String client : List.of("B", "C", "D", "E")) {
          lookup(driver, client, FILE, T0);
        }
        driver.pipe(
            fop(Fop.SETXATTR, "A", FILE, T0 + 1_000)
                .setXattrs(
                    List.of(
                        xattr("user.x", "1"),
                        xattr("security.selinux", "s"),
                        xattr("trusted.a1", "t"),
                        xattr("trusted.c1", "t"),
                        xattr("other.y", "o")))
                .build());
        List<Invalidation> out = driver.invalidations();
        assertThat(brief(out)).containsExactly("B 3 XATTR", "C 3 XATTR", "E 3 XATTR");
        assertThat(out)
            .extracting(Fops::names)
            .containsExactly(List.of("user.x"), List.of("security.selinux"), List.of("trusted.a1"));
      }
    }

    @Test
    void aNewRegistrationReplacesTheOldAndATombstoneRemovesIt() {
      try (UpcallDriver driver = driver(60)) {
        driver.register("B", "user.*");
        lookup(driver, "B", FILE, T0);
        driver.register("B", "other.*");
        driver.pipe(
            fop(Fop.REMOVEXATTR, "A", FILE, T0 + 1_000)
                .setXattrs(List.of(xattr("user.x", null), xattr("other.y", null)))
                .build());
        List<Invalidation> out = driver.invalidations();
        assertThat(brief(out)).containsExactly("B 3 XATTR_RM");
        assertThat(names(out.get(0))).containsExactly("other.y");

        driver.unregister("B");
        driver.pipe(
            fop(Fop.SETXATTR, "A", FILE, T0 + 2_000)
                .setXattrs(List.of(xattr("other.y", "2")))
                .build());
        assertThat(driver.invalidations()).isEmpty();
      }
    }
  }

  @Nested
  class Duplicates {
    @Test
    void aReplicaCopyOfAProcessedTransactionChangesNothingAndEmitsNothing() {
      try (UpcallDriver driver = driver(60)) {
        lookup(driver, "B", FILE, T0);
        lookup(driver, "B", DIR, T0);
        lookup(driver, "B", OTHER_DIR, T0);
        var rename =
            fop(Fop.RENAME, "A", FILE, T0 + 1_000)
                .setParent(DIR)
                .setNewParent(OTHER_DIR)
                .setTxId("A:7");
        driver.pipe(rename.build());
        assertThat(brief(driver.invalidations()))
            .containsExactly("B 3 RENAME|PARENT_TIMES", "B 1 TIMES", "B 2 TIMES");
        driver.pipe(rename.setBrick("brick-2").setEventTimeMs(T0 + 1_200).build());
        assertThat(driver.invalidations()).isEmpty();
      }
    }

    @Test
    void theSameBricksCopyProcessedAgainIsDecidedAgain() {
      try (UpcallDriver driver = driver(60)) {
        lookup(driver, "B", FILE, T0);
        var write = fop(Fop.WRITE, "A", FILE, T0 + 1_000).setStat(stat(T0 + 1_000)).setTxId("A:9");
        driver.pipe(write.build());
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
        // At-least-once replays a copy whose state survived a crash but whose invalidation may not
        // have.
        driver.pipe(write.build());
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
        driver.pipe(write.setBrick("brick-2").build()); // the replica's copy still changes nothing
        assertThat(driver.invalidations()).isEmpty();
      }
    }

    @Test
    void aForgetProcessedAgainTellsAgainTheClientsItStoppedTracking() {
      try (UpcallDriver driver = driver(60)) {
        lookup(driver, "B", FILE, T0);
        lookup(driver, "C", FILE, T0);
        var unlink =
            fop(Fop.UNLINK, "A", FILE, T0 + 1_000)
                .setParent(DIR)
                .setNlink(0)
                .setFopId("u1")
                .setTxId("A:3");
        driver.pipe(unlink.build());
        assertThat(brief(driver.invalidations()))
            .contains("B 3 FORGET", "C 3 FORGET", "A 3 FORGET");
        assertThat(driver.trackedOn(FILE)).isEmpty();

        driver.pipe(unlink.build()); // replayed after a crash: nobody is tracked any more
        assertThat(brief(driver.invalidations())).contains("B 3 FORGET", "C 3 FORGET");
        driver.pipe(unlink.setBrick("brick-2").build());
        assertThat(driver.invalidations()).isEmpty();
      }
    }

    @Test
    void aDuplicateDoesNotTouchItsOriginatorAgain() {
      try (UpcallDriver driver = driver(5)) {
        driver.pipe(fop(Fop.WRITE, "A", FILE, T0 + 1_000).setTxId("A:1").build());
        driver.pipe(
            fop(Fop.WRITE, "A", FILE, T0 + 4_500).setTxId("A:1").setBrick("brick-2").build());
        write(driver, "B", FILE, T0 + 6_500); // A last accessed at second 1 (5 s ago), not at 4
        assertThat(driver.invalidations()).isEmpty();
      }
    }

    @Test
    void aTransactionIdSeenTOrMoreSecondsEarlierIsANewFop() {
      try (UpcallDriver driver = driver(5)) {
        lookup(driver, "B", FILE, T0);
        driver.pipe(fop(Fop.WRITE, "A", FILE, T0 + 1_000).setTxId("A:1").build());
        lookup(driver, "B", FILE, T0 + 5_500);
        driver.pipe(fop(Fop.WRITE, "A", FILE, T0 + 6_000).setTxId("A:1").build());
        assertThat(brief(driver.invalidations()))
            .containsExactly("B 3 SIZE|TIMES", "B 3 SIZE|TIMES");
      }
    }
  }

  @Nested
  class RuntimeSwitches {
    @Test
    void offMeansNoTrackingAndNoInvalidationsUntilTurnedOnAgain() {
      try (UpcallDriver driver = driver(60)) {
        driver.set(Switches.CACHE_INVALIDATION, "off");
        lookup(driver, "B", FILE, T0);
        write(driver, "A", FILE, T0 + 1_000);
        assertThat(driver.invalidations()).isEmpty();
        assertThat(driver.trackedPairs()).isZero();

        driver.set(Switches.CACHE_INVALIDATION, "on");
        write(driver, "A", FILE, T0 + 2_000);
        assertThat(driver.invalidations()).as("B was not tracked while off").isEmpty();
        lookup(driver, "B", FILE, T0 + 3_000);
        write(driver, "A", FILE, T0 + 4_000);
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
      }
    }

    @Test
    void aNewTimeoutAppliesAtOnceAndABadValueKeepsThePreviousOne() {
      try (UpcallDriver driver = driver(60)) {
        lookup(driver, "B", FILE, T0);
        driver.set(Switches.CACHE_INVALIDATION_TIMEOUT, "5");
        write(driver, "A", FILE, T0 + 5_000);
        assertThat(driver.invalidations()).isEmpty();

        driver.set(Switches.CACHE_INVALIDATION_TIMEOUT, "10");
        driver.set(Switches.CACHE_INVALIDATION_TIMEOUT, "soon");
        driver.set(Switches.CACHE_INVALIDATION_TIMEOUT, "-1");
        driver.set(Switches.CACHE_INVALIDATION, "maybe");
        write(driver, "C", FILE, T0 + 9_000);
        List<Invalidation> out = driver.invalidations();
        assertThat(brief(out)).containsExactly("A 3 SIZE|TIMES", "B 3 SIZE|TIMES");
        assertThat(out).extracting(Invalidation::getExpireTimeSeconds).containsOnly(10);

        driver.set(Switches.CACHE_INVALIDATION_TIMEOUT, null); // back to the default, 60
        write(driver, "C", FILE, T0 + 30_000);
        assertThat(driver.invalidations())
            .extracting(Invalidation::getExpireTimeSeconds)
            .containsOnly(60, 60);
      }
    }
  }

  @Nested
  class Ordering {
    @Test
    void anAccessOlderThanTheLatestChangeGetsThatChangeUnlessItMadeIt() {
      try (UpcallDriver driver = driver(60)) {
        driver.pipe(fop(Fop.WRITE, "A", FILE, T0 + 5_000).setStat(stat(9)).setFopId("w").build());
        assertThat(driver.invalidations()).isEmpty();

        lookup(driver, "B", FILE, T0 + 3_000); // B read before the write, but arrives after it
        lookup(driver, "A", FILE, T0 + 2_000); // the writer itself
        lookup(
            driver,
            "C",
            FILE,
            T0 + 5_000 - 60_000); // so old that the write would not have found it fresh
        lookup(driver, "D", FILE, T0 + 6_000); // after the write: nothing to tell
        List<Invalidation> out = driver.invalidations();
        assertThat(brief(out)).containsExactly("B 3 SIZE|TIMES");
        assertThat(out.get(0).getCauseFopId()).isEqualTo("w");
        assertThat(out.get(0).getStat().getSize()).isEqualTo(9);
        assertThat(out.get(0).getEventTimeMs()).isEqualTo(T0 + 5_000);
      }
    }

    @Test
    void aLateAccessLearnsEveryChangeItMissedNotOnlyTheLast() {
      try (UpcallDriver driver = driver(60)) {
        driver.register("B", "user.*");
        driver.pipe(
            fop(Fop.SETXATTR, "A", FILE, T0 + 5_000)
                .setXattrs(List.of(xattr("user.a", "1")))
                .build());
        write(driver, "C", FILE, T0 + 6_000);
        assertThat(brief(driver.invalidations())).containsExactly("A 3 SIZE|TIMES");

        lookup(driver, "B", FILE, T0 + 3_000);
        List<Invalidation> out = driver.invalidations();
        assertThat(brief(out)).containsExactly("B 3 SIZE|TIMES|XATTR");
        assertThat(names(out.get(0))).containsExactly("user.a");

        lookup(driver, "A", FILE, T0 + 3_000); // A made only one of the two changes
        assertThat(brief(driver.invalidations())).containsExactly("A 3 SIZE|TIMES");
      }
    }

    @Test
    void aLateAccessGetsOnlyTheXattrNamesItsPatternsMatch() {
      try (UpcallDriver driver = driver(60)) {
        driver.register("B", "user.*");
        driver.pipe(
            fop(Fop.SETXATTR, "A", FILE, T0 + 5_000)
                .setXattrs(List.of(xattr("user.a", "1"), xattr("trusted.b", "2")))
                .build());
        lookup(driver, "B", FILE, T0 + 3_000);
        lookup(driver, "D", FILE, T0 + 3_000); // registered no patterns
        List<Invalidation> out = driver.invalidations();
        assertThat(brief(out)).containsExactly("B 3 XATTR");
        assertThat(names(out.get(0))).containsExactly("user.a");
      }
    }

    @Test
    void aLateAccessToAForgottenInodeGetsTheForgetAndIsNotTrackedAgain() {
      try (UpcallDriver driver = driver(60)) {
        driver.pipe(fop(Fop.UNLINK, "A", FILE, T0 + 5_000).setParent(DIR).setNlink(0).build());
        assertThat(brief(driver.invalidations())).containsExactly("A 3 FORGET");
        lookup(driver, "B", FILE, T0 + 3_000);
        assertThat(brief(driver.invalidations()))
            .containsExactly("B 3 NLINK|TIMES|FORGET|PARENT_TIMES");
        assertThat(driver.trackedOn(FILE)).isEmpty();
      }
    }

    @Test
    void aLateChangeOlderThanAForgetStillReachesAClientFreshForItButNotForTheForget() {
      try (UpcallDriver driver = driver(3)) {
        lookup(driver, "C", FILE, T0);
        driver.pipe(fop(Fop.UNLINK, "A", FILE, T0 + 3_100).setParent(DIR).setNlink(0).build());
        assertThat(brief(driver.invalidations()))
            .as("C is not fresh at second 3")
            .containsExactly("A 3 FORGET");
        write(driver, "B", FILE, T0 + 2_900); // written before the unlink, arrives after it
        assertThat(brief(driver.invalidations()))
            .containsExactly("C 3 SIZE|TIMES", "B 3 NLINK|TIMES|FORGET|PARENT_TIMES");
      }
    }

    @Test
    void aLateAccessLearnsADirectoryTimesChangeMergedWithAnXattrChangeItDoesNotMatch() {
      try (UpcallDriver driver = driver(60)) {
        driver.pipe(
            fop(Fop.SETXATTR, "A", DIR, T0 + 4_000)
                .setXattrs(List.of(xattr("user.a", "1")))
                .build());
        driver.pipe(fop(Fop.CREATE, "C", FILE, T0 + 5_000).setParent(DIR).build());
        assertThat(brief(driver.invalidations())).containsExactly("A 1 TIMES");

        lookup(
            driver,
            "B",
            DIR,
            T0 + 3_000); // registered no xattr patterns, read the directory before both
        assertThat(brief(driver.invalidations())).containsExactly("B 1 TIMES");
      }
    }

    @Test
    void anAccessInTheSameMillisecondAsTheLatestChangeCountsAsOlder() {
      try (UpcallDriver driver = driver(60)) {
        // Different bricks, different partitions: nothing orders a READDIRP listing FILE against a
        // write of FILE stamped the same millisecond, so the listing may have read the old stat.
        write(driver, "A", FILE, T0 + 5_000);
        driver.pipe(fop(Fop.READDIRP, "B", DIR, T0 + 5_000).setEntries(List.of(FILE)).build());
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
        write(driver, "A", FILE, T0 + 5_000); // the writer again: never told of its own change
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
      }
    }

    @Test
    void inEventTimeOrderTheRuleAddsNothing() {
      try (UpcallDriver driver = driver(60)) {
        lookup(driver, "B", FILE, T0 + 3_000);
        write(driver, "A", FILE, T0 + 5_000);
        lookup(driver, "B", FILE, T0 + 6_000);
        assertThat(brief(driver.invalidations())).containsExactly("B 3 SIZE|TIMES");
      }
    }
  }
}
