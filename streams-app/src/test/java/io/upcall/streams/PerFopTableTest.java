package io.upcall.streams;

import static io.upcall.streams.Fops.DIR;
import static io.upcall.streams.Fops.ENTRY;
import static io.upcall.streams.Fops.FILE;
import static io.upcall.streams.Fops.OTHER_DIR;
import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.VICTIM;
import static io.upcall.streams.Fops.brief;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.stat;
import static io.upcall.streams.Fops.xattr;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One case per row of docs/semantics.md's per-fop table (each fop of a row). Originator A acts one second after B
 * (fresh, registered "user.*") and C (stale: 100 s earlier, T = 60) looked up every inode. The test checks
 * what A's fop emits, then which inodes A is tracked on now (B writes each; A hears about those).
 */
class PerFopTableTest {
  private static final List<Gfid> INODES = List.of(DIR, OTHER_DIR, FILE, ENTRY, VICTIM);
  private static final long AT = T0 + 1_000;

  record Case(
      String name,
      FopRecord fop,
      List<String> emitted,
      Set<Gfid> trackedAfter,
      Consumer<List<Invalidation>> details) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> rows() {
    List<Case> cases = new ArrayList<>();
    for (Fop read :
        EnumSet.of(
            Fop.LOOKUP,
            Fop.STAT,
            Fop.FSTAT,
            Fop.ACCESS,
            Fop.READ,
            Fop.READLINK,
            Fop.OPEN,
            Fop.OPENDIR,
            Fop.STATFS,
            Fop.LK,
            Fop.SEEK,
            Fop.GETXATTR,
            Fop.FGETXATTR,
            Fop.READDIR)) {
      cases.add(
          new Case(
              "reads touch only: " + read, a(read, FILE).build(), List.of(), Set.of(FILE), none()));
    }
    cases.add(
        new Case(
            "READDIRP touches the directory and every listed entry",
            a(Fop.READDIRP, DIR).setEntries(List.of(DIR, FILE, ENTRY)).build(),
            List.of(),
            Set.of(DIR, FILE, ENTRY),
            none()));
    for (Fop write :
        EnumSet.of(
            Fop.WRITE,
            Fop.TRUNCATE,
            Fop.FTRUNCATE,
            Fop.FALLOCATE,
            Fop.DISCARD,
            Fop.ZEROFILL,
            Fop.PUT,
            Fop.COPY_FILE_RANGE)) {
      cases.add(
          new Case(
              "writes notify SIZE|TIMES with the post-op stat: " + write,
              a(write, FILE).setStat(stat(1)).build(),
              List.of("B 3 SIZE|TIMES"),
              Set.of(FILE),
              only(
                  inv -> {
                    assertThat(inv.getStat().getSize()).isEqualTo(1);
                    assertThat(inv.getParent()).isNull();
                  })));
    }
    for (Fop setattr : EnumSet.of(Fop.SETATTR, Fop.FSETATTR)) {
      cases.add(
          new Case(
              setattr + " notifies every stat flag with the post-op stat",
              a(setattr, FILE).setStat(stat(1)).build(),
              List.of("B 3 MODE|OWN|SIZE|TIMES|PERM"),
              Set.of(FILE),
              only(inv -> assertThat(inv.getStat().getSize()).isEqualTo(1))));
      cases.add(
          new Case(
              setattr + " that changed the mode adds XATTR, naming none (drop cached ACLs)",
              a(setattr, FILE).setStat(stat(1)).setModeChanged(true).build(),
              List.of("B 3 MODE|OWN|SIZE|TIMES|PERM|XATTR"),
              Set.of(FILE),
              only(inv -> assertThat(inv.getXattrs()).isEmpty())));
    }
    for (Fop create : EnumSet.of(Fop.CREATE, Fop.MKNOD, Fop.MKDIR, Fop.SYMLINK)) {
      cases.add(
          new Case(
              create + " notifies the parent TIMES with its stat and touches the new inode",
              a(create, ENTRY).setParent(DIR).setParentStat(stat(2)).setStat(stat(1)).build(),
              List.of("B 1 TIMES"),
              Set.of(DIR, ENTRY),
              only(inv -> assertThat(inv.getStat().getSize()).isEqualTo(2))));
    }
    cases.add(
        new Case(
            "UNLINK of one of several links: NLINK|TIMES|PARENT_TIMES, and the parent's TIMES",
            a(Fop.UNLINK, FILE).setParent(DIR).setParentStat(stat(2)).setNlink(1).build(),
            List.of("B 3 NLINK|TIMES|PARENT_TIMES", "B 1 TIMES"),
            Set.of(FILE, DIR),
            all(
                out -> {
                  assertThat(out.get(0).getParent()).isEqualTo(DIR);
                  assertThat(out.get(0).getParentStat().getSize()).isEqualTo(2);
                  assertThat(out.get(0).getStat()).isNull();
                  assertThat(out.get(1).getStat().getSize()).isEqualTo(2);
                })));
    cases.add(
        new Case(
            "UNLINK of the last link: notify, then FORGET to every fresh client, the originator too",
            a(Fop.UNLINK, FILE).setParent(DIR).setParentStat(stat(2)).setNlink(0).build(),
            List.of("B 3 NLINK|TIMES|PARENT_TIMES", "A 3 FORGET", "B 3 FORGET", "B 1 TIMES"),
            Set.of(DIR),
            all(out -> assertThat(out.get(1).getStat()).isNull())));
    cases.add(
        new Case(
            "RMDIR always forgets",
            a(Fop.RMDIR, ENTRY).setParent(DIR).setParentStat(stat(2)).build(),
            List.of("B 4 NLINK|TIMES|PARENT_TIMES", "A 4 FORGET", "B 4 FORGET", "B 1 TIMES"),
            Set.of(DIR),
            none()));
    cases.add(
        new Case(
            "LINK: NLINK|TIMES|PARENT_TIMES with the new parent's stat, and the new parent's TIMES",
            a(Fop.LINK, FILE).setParent(OTHER_DIR).setParentStat(stat(2)).setNlink(2).build(),
            List.of("B 3 NLINK|TIMES|PARENT_TIMES", "B 2 TIMES"),
            Set.of(FILE, OTHER_DIR),
            all(
                out -> {
                  assertThat(out.get(0).getParent()).isEqualTo(OTHER_DIR);
                  assertThat(out.get(0).getParentStat().getSize()).isEqualTo(2);
                  assertThat(out.get(1).getStat().getSize()).isEqualTo(2);
                })));
    cases.add(
        new Case(
            "RENAME across directories over a last link: both parents' TIMES, FORGET the overwritten",
            a(Fop.RENAME, FILE)
                .setParent(DIR)
                .setParentStat(stat(2))
                .setNewParent(OTHER_DIR)
                .setNewParentStat(stat(3))
                .setOverwritten(VICTIM)
                .setOverwrittenNlink(0)
                .build(),
            List.of("B 3 RENAME|PARENT_TIMES", "B 1 TIMES", "B 2 TIMES", "B 5 FORGET"),
            Set.of(FILE, DIR, OTHER_DIR),
            all(
                out -> {
                  Invalidation renamed = out.get(0);
                  assertThat(renamed.getParent()).isEqualTo(OTHER_DIR);
                  assertThat(renamed.getParentStat().getSize()).isEqualTo(3);
                  assertThat(renamed.getOldParent()).isEqualTo(DIR);
                  assertThat(renamed.getOldParentStat().getSize()).isEqualTo(2);
                  assertThat(out.get(1).getStat().getSize()).isEqualTo(2);
                  assertThat(out.get(2).getStat().getSize()).isEqualTo(3);
                })));
    cases.add(
        new Case(
            "RENAME over an inode with links left: NLINK|TIMES to the overwritten",
            a(Fop.RENAME, FILE)
                .setParent(DIR)
                .setNewParent(OTHER_DIR)
                .setOverwritten(VICTIM)
                .setOverwrittenNlink(1)
                .build(),
            List.of("B 3 RENAME|PARENT_TIMES", "B 1 TIMES", "B 2 TIMES", "B 5 NLINK|TIMES"),
            Set.of(FILE, DIR, OTHER_DIR, VICTIM),
            none()));
    cases.add(
        new Case(
            "RENAME within one directory notifies it once",
            a(Fop.RENAME, FILE)
                .setParent(DIR)
                .setParentStat(stat(2))
                .setNewParent(DIR)
                .setNewParentStat(stat(2))
                .build(),
            List.of("B 3 RENAME|PARENT_TIMES", "B 1 TIMES"),
            Set.of(FILE, DIR),
            none()));
    for (Fop set : EnumSet.of(Fop.SETXATTR, Fop.FSETXATTR)) {
      cases.add(
          new Case(
              set + " tells each client the names its patterns match, TIMES with a stat",
              a(set, FILE)
                  .setStat(stat(1))
                  .setXattrs(List.of(xattr("user.a", "1"), xattr("security.selinux", "x")))
                  .build(),
              List.of("B 3 TIMES|XATTR"),
              Set.of(FILE),
              only(
                  inv -> {
                    assertThat(Fops.names(inv)).containsExactly("user.a");
                    assertThat(inv.getXattrs().get(0).getValue()).isNotNull();
                  })));
      cases.add(
          new Case(
              set + " without a post-op stat has no TIMES",
              a(set, FILE).setXattrs(List.of(xattr("user.a", "1"))).build(),
              List.of("B 3 XATTR"),
              Set.of(FILE),
              none()));
    }
    for (Fop remove : EnumSet.of(Fop.REMOVEXATTR, Fop.FREMOVEXATTR)) {
      cases.add(
          new Case(
              remove + " is the same with XATTR_RM",
              a(remove, FILE)
                  .setStat(stat(1))
                  .setXattrs(List.of(xattr("user.a", null), xattr("trusted.x", null)))
                  .build(),
              List.of("B 3 TIMES|XATTR_RM"),
              Set.of(FILE),
              only(inv -> assertThat(Fops.names(inv)).containsExactly("user.a"))));
    }
    for (Fop inert :
        EnumSet.of(
            Fop.FLUSH,
            Fop.FSYNC,
            Fop.INODELK,
            Fop.FINODELK,
            Fop.ENTRYLK,
            Fop.FENTRYLK,
            Fop.LEASE,
            Fop.XATTROP,
            Fop.FXATTROP)) {
      cases.add(
          new Case(
              "no effect at all, not even a touch: " + inert,
              a(inert, FILE).build(),
              List.of(),
              Set.of(),
              none()));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void emitsWhatTheSpecTableSays(Case row) {
    try (UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS)) {
      driver.register("B", "user.*");
      for (Gfid inode : INODES) {
        driver.pipe(fop(Fop.LOOKUP, "C", inode, T0 - 100_000).build());
        driver.pipe(fop(Fop.LOOKUP, "B", inode, T0).build());
      }
      assertThat(driver.invalidations()).isEmpty();

      driver.pipe(row.fop());
      List<Invalidation> emitted = driver.invalidations();
      assertThat(brief(emitted)).containsExactlyElementsOf(row.emitted());
      assertThat(emitted)
          .allSatisfy(
              inv -> {
                assertThat(inv.getEventTimeMs()).isEqualTo(AT);
                assertThat(inv.getExpireTimeSeconds()).isEqualTo(60);
                assertThat(inv.getCauseFopId()).isEqualTo("fop-1");
                assertThat(inv.getVolume()).isEqualTo("vol");
                assertThat(inv.getBrick()).isEqualTo("brick-1");
              });
      row.details().accept(emitted);

      for (Gfid inode : INODES) {
        driver.pipe(fop(Fop.WRITE, "B", inode, T0 + 2_000).build());
      }
      List<String> trackedOn =
          INODES.stream()
              .filter(row.trackedAfter()::contains)
              .map(inode -> "A " + Gfids.toUuid(inode).getLeastSignificantBits() + " SIZE|TIMES")
              .toList();
      assertThat(brief(driver.invalidations()))
          .as("inodes the originator is tracked on afterwards")
          .containsExactlyElementsOf(trackedOn);
    }
  }

  private static FopRecord.Builder a(Fop fop, Gfid gfid) {
    return fop(fop, "A", gfid, AT).setFopId("fop-1");
  }

  private static Consumer<List<Invalidation>> none() {
    return out -> {};
  }

  private static Consumer<List<Invalidation>> only(Consumer<Invalidation> check) {
    return out -> check.accept(out.get(0));
  }

  private static Consumer<List<Invalidation>> all(Consumer<List<Invalidation>> check) {
    return check;
  }
}
