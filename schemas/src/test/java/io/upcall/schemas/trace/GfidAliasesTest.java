package io.upcall.schemas.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.schemas.Gfids;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GfidAliasesTest {

  @Test
  void anAliasIsTheNameBasedUuidOfGfidColonAlias() {
    UUID expected = UUID.nameUUIDFromBytes("gfid:dir1".getBytes(StandardCharsets.UTF_8));

    assertThat(Gfids.toUuid(new GfidAliases().resolve("dir1"))).isEqualTo(expected);
  }

  @Test
  void aCanonicalUuidIsTakenAsItIsAndPrintsAsItself() {
    GfidAliases aliases = new GfidAliases();

    var gfid = aliases.resolve("00000000-0000-0000-0000-000000000001");

    assertThat(gfid).isEqualTo(Gfids.parse("00000000-0000-0000-0000-000000000001"));
    assertThat(aliases.display(gfid)).isEqualTo("00000000-0000-0000-0000-000000000001");
    assertThat(aliases.display(aliases.resolve("0000000A-0000-0000-0000-00000000000B")))
        .isEqualTo("0000000a-0000-0000-0000-00000000000b");
  }

  @Test
  void theTablePrintsBackTheAliasItResolvedAndUuidsForOthers() {
    GfidAliases aliases = new GfidAliases();
    var known = aliases.resolve("a/b c");
    var unknown = new GfidAliases().resolve("elsewhere");

    assertThat(aliases.display(known)).isEqualTo("a/b c");
    assertThat(aliases.display(unknown)).isEqualTo(Gfids.format(unknown));
  }

  @Test
  void textThatOnlyLooksLikeAUuidIsAnAlias() {
    GfidAliases aliases = new GfidAliases();

    var gfid = aliases.resolve("1-2-3-4-5");

    assertThat(Gfids.toUuid(gfid))
        .isEqualTo(UUID.nameUUIDFromBytes("gfid:1-2-3-4-5".getBytes(StandardCharsets.UTF_8)));
    assertThat(aliases.display(gfid)).isEqualTo("1-2-3-4-5");
  }

  @Test
  void anEmptyGfidIsRefused() {
    assertThatThrownBy(() -> new GfidAliases().resolve(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a gfid must not be empty");
  }
}
