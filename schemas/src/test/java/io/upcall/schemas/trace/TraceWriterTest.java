package io.upcall.schemas.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Xattr;
import io.upcall.avro.XattrInterest;
import io.upcall.schemas.Gfids;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TraceWriterTest {
  private final GfidAliases aliases = new GfidAliases();

  @Test
  void aFopIsWrittenInTheSpecsFieldsWithAliasesPrintedBack() {
    FopRecord fop =
        FopRecord.newBuilder()
            .setVolume("trace")
            .setBrick("trace")
            .setFop(Fop.UNLINK)
            .setClient("c1")
            .setGfid(aliases.resolve("dir/f"))
            .setParent(aliases.resolve("dir"))
            .setNlink(0)
            .setEventTimeMs(1500)
            .build();

    String line = new TraceWriter(new StringWriter(), aliases).line(fop);

    assertThat(line)
        .isEqualTo(
            "{\"ts\":1500,\"client\":\"c1\",\"fop\":\"UNLINK\",\"gfid\":\"dir/f\",\"parent\":\"dir\",\"nlink\":0}");
  }

  @Test
  void aGfidWithoutAliasIsWrittenAsItsUuidAndVolumeAndBrickWhenNotTheTraceDefault() {
    FopRecord fop =
        FopRecord.newBuilder()
            .setVolume("vol1")
            .setBrick("b1")
            .setFop(Fop.WRITE)
            .setClient("c")
            .setGfid(Gfids.parse("00000000-0000-0000-0000-00000000000a"))
            .setEventTimeMs(1)
            .build();

    assertThat(new TraceWriter(new StringWriter(), aliases).line(fop))
        .isEqualTo(
            "{\"ts\":1,\"client\":\"c\",\"fop\":\"WRITE\",\"gfid\":\"00000000-0000-0000-0000-00000000000a\","
                + "\"volume\":\"vol1\",\"brick\":\"b1\"}");
  }

  @Test
  void anInterestIsWrittenAsRegisterXattrs() {
    XattrInterest interest =
        XattrInterest.newBuilder()
            .setClient("c")
            .setPatterns(List.of("user.*"))
            .setUpdatedAtMs(9)
            .build();

    assertThat(new TraceWriter(new StringWriter(), aliases).line(interest))
        .isEqualTo(
            "{\"ts\":9,\"client\":\"c\",\"fop\":\"REGISTER_XATTRS\",\"xattrs\":[\"user.*\"]}");
  }

  @Test
  void writtenTracesReadBackAsTheSameRecordsLessWhatTracesDoNotCarry() {
    Random random = new Random(7);
    List<Object> written = new ArrayList<>();
    StringWriter text = new StringWriter();
    GfidAliases writerAliases = new GfidAliases();
    try (TraceWriter writer = new TraceWriter(text, writerAliases)) {
      for (int i = 0; i < 500; i++) {
        if (i % 50 == 0) {
          XattrInterest interest =
              XattrInterest.newBuilder()
                  .setClient("c" + random.nextInt(5))
                  .setPatterns(List.of("user.*", "p" + i))
                  .setUpdatedAtMs(i + 1)
                  .build();
          writer.write(interest);
          written.add(interest);
        } else {
          FopRecord fop = randomFop(random, writerAliases, i + 1);
          writer.write(fop);
          written.add(fop);
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }

    TraceReader reader = new TraceReader(new StringReader(text.toString()));
    List<TraceEvent> events = reader.events().toList();

    assertThat(events).hasSameSizeAs(written);
    for (int i = 0; i < events.size(); i++) {
      TraceEvent event = events.get(i);
      assertThat(event.lineNumber()).isEqualTo(i + 1);
      if (event instanceof TraceEvent.FopEvent fopEvent) {
        assertThat(fopEvent.record())
            .isEqualTo(asTraceCarriesIt((FopRecord) written.get(i), i + 1));
        assertThat(reader.aliases().display(fopEvent.record().getGfid()))
            .isEqualTo(writerAliases.display(((FopRecord) written.get(i)).getGfid()));
      } else {
        assertThat(((TraceEvent.XattrRegistration) event).interest()).isEqualTo(written.get(i));
      }
    }
  }

  @Test
  void writingARecordWithoutAClientSaysSo() {
    FopRecord fop = new FopRecord();
    fop.setFop(Fop.WRITE);
    fop.setGfid(aliases.resolve("f"));

    assertThatThrownBy(() -> new TraceWriter(new StringWriter(), aliases).line(fop))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot write a trace line without client");
  }

  private static FopRecord asTraceCarriesIt(FopRecord fop, long line) {
    List<Xattr> names = fop.getXattrs().stream().map(x -> new Xattr(x.getName(), null)).toList();
    return FopRecord.newBuilder(fop)
        .setFopId("trace:" + line)
        .setStat(null)
        .setParentStat(null)
        .setNewParentStat(null)
        .setXattrs(names)
        .build();
  }

  private static FopRecord randomFop(Random random, GfidAliases aliases, long ts) {
    Fop[] fops = Fop.values();
    Fop fop = fops[random.nextInt(fops.length - 1)]; // not UNKNOWN, the last
    FopRecord.Builder builder =
        FopRecord.newBuilder()
            .setVolume(random.nextBoolean() ? "trace" : "vol" + random.nextInt(3))
            .setBrick(random.nextBoolean() ? "trace" : "brick" + random.nextInt(3))
            .setFop(fop)
            .setClient("client-" + random.nextInt(4))
            .setGfid(gfid(random, aliases))
            .setEventTimeMs(ts)
            .setFopId("original-id")
            .setStat(
                Iatt.newBuilder()
                    .setType(IaType.REG)
                    .setMode(0644)
                    .setUid(0)
                    .setGid(0)
                    .setNlink(1)
                    .setSize(1)
                    .setBlocks(1)
                    .setAtimeSec(1)
                    .setAtimeNsec(0)
                    .setMtimeSec(1)
                    .setMtimeNsec(0)
                    .setCtimeSec(1)
                    .setCtimeNsec(0)
                    .build());
    if (random.nextBoolean()) {
      builder.setParent(gfid(random, aliases));
    }
    if (random.nextBoolean()) {
      builder.setNewParent(gfid(random, aliases));
    }
    if (random.nextBoolean()) {
      builder.setNlink(random.nextInt(3));
    }
    if (random.nextBoolean()) {
      builder.setOverwritten(gfid(random, aliases)).setOverwrittenNlink(random.nextInt(2));
    }
    if (random.nextBoolean()) {
      builder.setEntries(List.of(gfid(random, aliases), gfid(random, aliases)));
    }
    if (random.nextBoolean()) {
      builder.setXattrs(
          List.of(
              new Xattr("user.x", ByteBuffer.wrap(new byte[] {1})), new Xattr("security.y", null)));
    }
    builder.setModeChanged(random.nextBoolean());
    if (random.nextBoolean()) {
      builder.setTxId("tx-" + random.nextInt(100));
    }
    return builder.build();
  }

  private static Gfid gfid(Random random, GfidAliases aliases) {
    return random.nextBoolean()
        ? aliases.resolve("file-" + random.nextInt(20))
        : Gfids.of(new UUID(random.nextLong(), random.nextLong()));
  }
}
