package io.upcall.streams;

import static io.upcall.streams.Fops.stat;
import static io.upcall.streams.Fops.xattr;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/** The shared-body serializer writes exactly the bytes of the built-in one, whatever the recipients and changes. */
class SharedChangeSerializerTest {
  private final Serde<Invalidation> builtIn = UpcallSerdes.invalidation();
  private final Serializer<Invalidation> shared = SharedChangeSerializer.of(builtIn);

  @Test
  void theBuiltInEncodingGetsTheSharedBodySerializer() {
    assertThat(shared).isInstanceOf(SharedChangeSerializer.class);
  }

  @Test
  void everyRecipientOfEveryChangeGetsTheBytesTheBuiltInSerializerWrites() {
    Random random = new Random(5);
    List<String> clients =
        List.of(
            "",
            "c",
            "x".repeat(63),
            "y".repeat(64),
            "z".repeat(200),
            "cliënt-ß-€-日本",
            "CTX_ID:5a6b7c8d-1111-4222-8333-944455556666-GRAPH_ID:0-PID:4242-HOST:client7-PC_NAME:vol0-client-0-RECON_NO:-0");
    int checked = 0;
    for (int change = 0; change < 200; change++) {
      Invalidation base = change(random, change);
      // Recipients of one change in a row, sometimes interleaved with another change, as fan-outs
      // interleave.
      for (int n = 0; n < 1 + random.nextInt(6); n++) {
        Invalidation invalidation = random.nextInt(5) == 0 ? change(random, change + 1_000) : base;
        Invalidation forClient =
            Invalidation.newBuilder(invalidation)
                .setClient(clients.get(random.nextInt(clients.size())))
                .build();
        assertThat(shared.serialize("t", forClient))
            .isEqualTo(builtIn.serializer().serialize("t", forClient));
        assertThat(builtIn.deserializer().deserialize("t", shared.serialize("t", forClient)))
            .isEqualTo(forClient);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(500);
  }

  @Test
  void aChangeThatDiffersOnlyInOneFieldIsNotMistakenForThePreviousOne() {
    Invalidation first = change(new Random(1), 1);
    List<Invalidation> variants = new ArrayList<>();
    variants.add(Invalidation.newBuilder(first).setFlags(first.getFlags() ^ 1).build());
    variants.add(Invalidation.newBuilder(first).setStat(stat(99)).build());
    variants.add(Invalidation.newBuilder(first).setEventTimeMs(first.getEventTimeMs() + 1).build());
    variants.add(Invalidation.newBuilder(first).setCauseFopId("other").build());
    variants.add(Invalidation.newBuilder(first).setXattrs(List.of(xattr("user.q", "1"))).build());
    variants.add(Invalidation.newBuilder(first).setExpireTimeSeconds(7).build());
    for (Invalidation variant : variants) {
      shared.serialize("t", first);
      assertThat(shared.serialize("t", variant))
          .isEqualTo(builtIn.serializer().serialize("t", variant));
    }
  }

  @Test
  void aConfiguredSerdeWithAnotherEncodingKeepsItsOwnSerializer() {
    Serde<Invalidation> other =
        new Serde<>() {
          @Override
          public Serializer<Invalidation> serializer() {
            return (topic, invalidation) ->
                invalidation == null ? null : invalidation.toString().getBytes();
          }

          @Override
          public Deserializer<Invalidation> deserializer() {
            return (topic, bytes) -> null;
          }
        };
    assertThat(SharedChangeSerializer.of(other)).isNotInstanceOf(SharedChangeSerializer.class);
  }

  private static Invalidation change(Random random, int n) {
    List<Xattr> xattrs =
        random.nextInt(3) == 0
            ? List.of(xattr("user.a", "v" + n), xattr("user.b", null))
            : List.of();
    return new Invalidation(
        "",
        Gfids.of(new UUID(n, random.nextLong())),
        1 + random.nextInt(0xFFF),
        "vol" + random.nextInt(3),
        random.nextBoolean() ? stat(n) : null,
        random.nextBoolean() ? Gfids.of(new UUID(7, n)) : null,
        random.nextBoolean() ? stat(n + 1) : null,
        null,
        null,
        xattrs,
        random.nextInt(120),
        1_700_000_000_000L + n,
        "brick-" + random.nextInt(4),
        random.nextBoolean() ? "fop-" + n : "upcall.fops-3@" + n);
  }
}
