package io.upcall.schemas.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidationJsonTest {
  private final GfidAliases aliases = new GfidAliases();

  private Invalidation.Builder invalidation() {
    return Invalidation.newBuilder()
        .setClient("c2")
        .setGfid(aliases.resolve("f"))
        .setFlags(UpcallFlag.mask(UpcallFlag.SIZE, UpcallFlag.TIMES))
        .setExpireTimeSeconds(60)
        .setEventTimeMs(1500);
  }

  @Test
  void anInvalidationPrintsClientGfidFlagNamesAndTs() {
    String json = new InvalidationJson(aliases, false).toJson(invalidation().build());

    assertThat(json)
        .isEqualTo("{\"client\":\"c2\",\"gfid\":\"f\",\"flags\":[\"SIZE\",\"TIMES\"],\"ts\":1500}");
  }

  @Test
  void xattrNamesArePrintedOnlyWhenThereAreAny() {
    Invalidation withXattrs =
        invalidation()
            .setFlags(UpcallFlag.XATTR.bit())
            .setXattrs(List.of(new Xattr("user.a", null), new Xattr("user.b", null)))
            .build();

    assertThat(new InvalidationJson(aliases, false).toJson(withXattrs))
        .isEqualTo(
            "{\"client\":\"c2\",\"gfid\":\"f\",\"flags\":[\"XATTR\"],\"ts\":1500,\"xattrs\":[\"user.a\",\"user.b\"]}");
  }

  @Test
  void aGfidWithoutAliasPrintsAsItsUuid() {
    Invalidation invalidation =
        invalidation().setGfid(Gfids.parse("00000000-0000-0000-0000-000000000001")).build();

    assertThat(new InvalidationJson(new GfidAliases(), false).toJson(invalidation))
        .contains("\"gfid\":\"00000000-0000-0000-0000-000000000001\"");
  }

  @Test
  void verboseAddsOriginParentsAndStats() throws Exception {
    Iatt stat =
        Iatt.newBuilder()
            .setType(IaType.REG)
            .setMode(0644)
            .setUid(1)
            .setGid(2)
            .setNlink(1)
            .setSize(10)
            .setBlocks(1)
            .setAtimeSec(1)
            .setAtimeNsec(5)
            .setMtimeSec(2)
            .setMtimeNsec(6)
            .setCtimeSec(3)
            .setCtimeNsec(7)
            .build();
    Invalidation invalidation =
        invalidation()
            .setStat(stat)
            .setParent(aliases.resolve("d"))
            .setBrick("b1")
            .setVolume("v")
            .setCauseFopId("trace:4")
            .build();

    JsonNode json =
        new ObjectMapper().readTree(new InvalidationJson(aliases, true).toJson(invalidation));

    assertThat(json.get("parent").asText()).isEqualTo("d");
    assertThat(json.get("brick").asText()).isEqualTo("b1");
    assertThat(json.get("causeFopId").asText()).isEqualTo("trace:4");
    assertThat(json.get("expireTimeSeconds").asInt()).isEqualTo(60);
    assertThat(json.get("stat").get("mode").asText()).isEqualTo("0644");
    assertThat(json.get("stat").get("mtime").asText()).isEqualTo("2.000000006");
    assertThat(json.has("parentStat")).isFalse();
  }
}
