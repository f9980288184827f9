package io.upcall.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Xattr;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FopContractTest {
  private static final Gfid FILE = Gfids.parse("00000000-0000-0000-0000-00000000000f");
  private static final Gfid DIR = Gfids.parse("00000000-0000-0000-0000-00000000000d");
  private static final Gfid OTHER_DIR = Gfids.parse("00000000-0000-0000-0000-0000000000dd");

  /** A record of {@code fop} that meets the contract: every fop gets what its kind needs. */
  private static FopRecord.Builder valid(Fop fop) {
    return FopRecord.newBuilder()
        .setVolume("v")
        .setBrick("b")
        .setFop(fop)
        .setClient("c")
        .setGfid(FILE)
        .setEventTimeMs(1)
        .setParent(DIR)
        .setNewParent(OTHER_DIR)
        .setXattrs(List.of(new Xattr("user.a", null)));
  }

  @ParameterizedTest
  @EnumSource(value = Fop.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
  void aRecordWithWhatItsFopNeedsMeetsTheContract(Fop fop) {
    assertThat(FopContract.violation(valid(fop).build())).isEmpty();
  }

  @Test
  void minimalReadAndWriteFopsNeedNoParentNorXattrs() {
    for (Fop fop : List.of(Fop.LOOKUP, Fop.WRITE, Fop.SETATTR, Fop.READDIRP, Fop.FSYNC)) {
      FopRecord record = valid(fop).setParent(null).setNewParent(null).setXattrs(List.of()).build();
      assertThat(FopContract.violation(record)).as(fop.name()).isEmpty();
    }
  }

  static Stream<Arguments> violations() {
    return Stream.of(
        broken("gfid is missing", Fop.WRITE, r -> r.setGfid(null)),
        broken(
            "gfid must not be the all-zero (null) gfid",
            Fop.WRITE,
            r -> r.setGfid(new Gfid(new byte[16]))),
        broken("gfid must be 16 bytes, was 4", Fop.WRITE, r -> r.setGfid(new Gfid(new byte[4]))),
        broken("client must not be empty", Fop.WRITE, r -> r.setClient("")),
        broken("client must not be empty", Fop.WRITE, r -> r.setClient(null)),
        broken("brick must not be empty", Fop.WRITE, r -> r.setBrick("")),
        broken("fop is missing", Fop.WRITE, r -> r.setFop(null)),
        broken("fop must not be UNKNOWN (a fop this version does not know)", Fop.UNKNOWN, r -> {}),
        broken("parent is required for CREATE", Fop.CREATE, r -> r.setParent(null)),
        broken("parent is required for MKNOD", Fop.MKNOD, r -> r.setParent(null)),
        broken("parent is required for MKDIR", Fop.MKDIR, r -> r.setParent(null)),
        broken("parent is required for SYMLINK", Fop.SYMLINK, r -> r.setParent(null)),
        broken("parent is required for UNLINK", Fop.UNLINK, r -> r.setParent(null)),
        broken("parent is required for RMDIR", Fop.RMDIR, r -> r.setParent(null)),
        broken("parent is required for LINK", Fop.LINK, r -> r.setParent(null)),
        broken("parent is required for RENAME", Fop.RENAME, r -> r.setParent(null)),
        broken("newParent is required for RENAME", Fop.RENAME, r -> r.setNewParent(null)),
        broken(
            "parent must be 16 bytes, was 3", Fop.CREATE, r -> r.setParent(new Gfid(new byte[3]))),
        broken(
            "xattrs must name at least one xattr for SETXATTR",
            Fop.SETXATTR,
            r -> r.setXattrs(List.of())),
        broken(
            "xattrs must name at least one xattr for FSETXATTR",
            Fop.FSETXATTR,
            r -> r.setXattrs(List.of())),
        broken(
            "xattrs must name at least one xattr for REMOVEXATTR",
            Fop.REMOVEXATTR,
            r -> r.setXattrs(List.of())),
        broken(
            "xattrs must name at least one xattr for FREMOVEXATTR",
            Fop.FREMOVEXATTR,
            r -> r.setXattrs(List.of())),
        broken("eventTimeMs must be > 0, was 0", Fop.WRITE, r -> r.setEventTimeMs(0L)),
        broken("eventTimeMs must be > 0, was -5", Fop.WRITE, r -> r.setEventTimeMs(-5L)),
        broken("nlink must be >= 0, was -1", Fop.UNLINK, r -> r.setNlink(-1)),
        broken(
            "overwrittenNlink is set without overwritten",
            Fop.RENAME,
            r -> r.setOverwrittenNlink(0)),
        broken(
            "overwrittenNlink must be >= 0, was -1",
            Fop.RENAME,
            r -> {
              r.setOverwritten(FILE);
              r.setOverwrittenNlink(-1);
            }));
  }

  private static Arguments broken(String violation, Fop fop, Consumer<FopRecord> breakIt) {
    FopRecord record = valid(fop).build();
    breakIt.accept(record);
    return Arguments.of(violation, record);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void aBrokenRecordIsRefusedNamingTheField(String violation, FopRecord record) {
    assertThat(FopContract.violation(record)).contains(violation);
    assertThatThrownBy(() -> FopContract.check(record))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(violation);
  }

  @Test
  void aMissingRecordIsAViolation() {
    assertThat(FopContract.violation(null)).contains("the fop record is missing");
  }
}
