package io.upcall.schemas.serde;

import static io.upcall.schemas.serde.SampleRecords.fullFop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Invalidation;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.Xattr;
import io.upcall.avro.internal.InodeMeta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UpcallSerdesTest {

  static Stream<Arguments> serdeAndRecord() {
    return Stream.of(
        Arguments.of("fopRecord full", UpcallSerdes.fopRecord(), fullFop()),
        Arguments.of("fopRecord minimal", UpcallSerdes.fopRecord(), SampleRecords.minimalFop()),
        Arguments.of("brickHeartbeat", UpcallSerdes.brickHeartbeat(), SampleRecords.heartbeat()),
        Arguments.of(
            "invalidation full", UpcallSerdes.invalidation(), SampleRecords.fullInvalidation()),
        Arguments.of(
            "invalidation minimal",
            UpcallSerdes.invalidation(),
            SampleRecords.minimalInvalidation()),
        Arguments.of("progressMark", UpcallSerdes.progressMark(), SampleRecords.progressMark()),
        Arguments.of("xattrInterest", UpcallSerdes.xattrInterest(), SampleRecords.xattrInterest()),
        Arguments.of("configChange set", UpcallSerdes.configChange(), SampleRecords.configChange()),
        Arguments.of(
            "configChange reset", UpcallSerdes.configChange(), SampleRecords.configReset()),
        Arguments.of("inodeEvent", UpcallSerdes.inodeEvent(), SampleRecords.inodeEvent()),
        Arguments.of("inodeMeta", UpcallSerdes.inodeMeta(), SampleRecords.inodeMeta()),
        Arguments.of("inodeMeta empty", UpcallSerdes.inodeMeta(), InodeMeta.newBuilder().build()),
        Arguments.of("fopsTopic fop", UpcallSerdes.fopsTopic(), fullFop()),
        Arguments.of("fopsTopic heartbeat", UpcallSerdes.fopsTopic(), SampleRecords.heartbeat()),
        Arguments.of(
            "invalidationsTopic invalidation",
            UpcallSerdes.invalidationsTopic(),
            SampleRecords.fullInvalidation()),
        Arguments.of(
            "invalidationsTopic mark",
            UpcallSerdes.invalidationsTopic(),
            SampleRecords.progressMark()),
        Arguments.of("upcallRequest", UpcallSerdes.upcallRequest(), SampleRecords.fullRequest()),
        Arguments.of("upcallEvent", UpcallSerdes.upcallEvent(), SampleRecords.recallEvent()),
        Arguments.of(
            "leaseRecallReply", UpcallSerdes.leaseRecallReply(), SampleRecords.recallReply()),
        Arguments.of("fopsTopic request", UpcallSerdes.fopsTopic(), SampleRecords.fullRequest()),
        Arguments.of(
            "invalidationsTopic event",
            UpcallSerdes.invalidationsTopic(),
            SampleRecords.recallEvent()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serdeAndRecord")
  <T extends SpecificRecord> void everyRecordTypeRoundTripsUnchanged(
      String name, Serde<T> serde, T record) {
    byte[] bytes = serde.serializer().serialize("topic", record);

    T read = serde.deserializer().deserialize("topic", bytes);

    assertThat(read).isEqualTo(record).isNotSameAs(record).hasSameClassAs(record);
  }

  @Test
  void nestedStatsAndXattrsWithAndWithoutValuesSurvive() {
    Serde<FopRecord> serde = UpcallSerdes.fopRecord();

    FopRecord read =
        serde.deserializer().deserialize("t", serde.serializer().serialize("t", fullFop()));

    assertThat(read.getStat().getMtimeNsec()).isEqualTo(999_999_999);
    assertThat(read.getNewParentStat().getSize()).isEqualTo(4096);
    assertThat(read.getXattrs())
        .extracting(Xattr::getName)
        .containsExactly("user.tag", "security.selinux");
    assertThat(StandardCharsets.UTF_8.decode(read.getXattrs().get(0).getValue()).toString())
        .isEqualTo("blue");
    assertThat(read.getXattrs().get(1).getValue()).isNull();
    assertThat(read.getOverwrittenNlink()).isZero();
  }

  @Test
  void optionalFieldsLeftOutStayNullOrEmpty() {
    Serde<FopRecord> serde = UpcallSerdes.fopRecord();

    FopRecord read =
        serde
            .deserializer()
            .deserialize("t", serde.serializer().serialize("t", SampleRecords.minimalFop()));

    assertThat(read.getParent()).isNull();
    assertThat(read.getNlink()).isNull();
    assertThat(read.getStat()).isNull();
    assertThat(read.getTxId()).isNull();
    assertThat(read.getEntries()).isEmpty();
    assertThat(read.getXattrs()).isEmpty();
    assertThat(read.getModeChanged()).isFalse();
  }

  @Test
  void bytesAreAvrosOwnSingleObjectEncoding() throws Exception {
    FopRecord record = fullFop();

    byte[] ours = UpcallSerdes.fopRecord().serializer().serialize("t", record);

    ByteBuffer avros = record.toByteBuffer();
    assertThat(ours).isEqualTo(toArray(avros));
    assertThat(ours[0]).isEqualTo((byte) 0xC3);
    assertThat(ours[1]).isEqualTo((byte) 0x01);
    assertThat(FopRecord.fromByteBuffer(ByteBuffer.wrap(ours))).isEqualTo(record);
  }

  @Test
  void fopsTopicSerdeReturnsTheClassThatWasWritten() {
    Serde<SpecificRecord> serde = UpcallSerdes.fopsTopic();
    byte[] fop = serde.serializer().serialize("upcall.fops", fullFop());
    byte[] heartbeat = serde.serializer().serialize("upcall.fops", SampleRecords.heartbeat());

    assertThat(serde.deserializer().deserialize("upcall.fops", fop))
        .isInstanceOf(FopRecord.class)
        .isEqualTo(fullFop());
    assertThat(serde.deserializer().deserialize("upcall.fops", heartbeat))
        .isInstanceOf(BrickHeartbeat.class)
        .isEqualTo(SampleRecords.heartbeat());
  }

  @Test
  void invalidationsTopicSerdeReturnsTheClassThatWasWritten() {
    Serde<SpecificRecord> serde = UpcallSerdes.invalidationsTopic();
    byte[] invalidation =
        serde.serializer().serialize("upcall.invalidations", SampleRecords.fullInvalidation());
    byte[] mark =
        serde.serializer().serialize("upcall.invalidations", SampleRecords.progressMark());

    assertThat(serde.deserializer().deserialize("upcall.invalidations", invalidation))
        .isInstanceOf(Invalidation.class);
    assertThat(serde.deserializer().deserialize("upcall.invalidations", mark))
        .isInstanceOf(ProgressMark.class)
        .isEqualTo(SampleRecords.progressMark());
  }

  @Test
  void topicSerdeAndSingleTypeSerdeWriteTheSameBytes() {
    byte[] viaTopic = UpcallSerdes.fopsTopic().serializer().serialize("t", fullFop());
    byte[] viaType = UpcallSerdes.fopRecord().serializer().serialize("t", fullFop());

    assertThat(viaTopic).isEqualTo(viaType);
    assertThat(UpcallSerdes.fopRecord().deserializer().deserialize("t", viaTopic))
        .isEqualTo(fullFop());
  }

  @Test
  void serializingATypeTheTopicDoesNotCarryNamesTopicTypeAndAcceptedTypes() {
    Serde<SpecificRecord> serde = UpcallSerdes.fopsTopic();

    assertThatThrownBy(
            () -> serde.serializer().serialize("upcall.fops", SampleRecords.fullInvalidation()))
        .isInstanceOf(SerializationException.class)
        .hasMessage(
            "upcall.fops: cannot serialize io.upcall.avro.Invalidation, this serde writes FopRecord, BrickHeartbeat, UpcallRequest");
  }

  @Test
  void aSingleTypeSerdeRefusesBytesOfAnotherType() {
    byte[] heartbeat =
        UpcallSerdes.brickHeartbeat()
            .serializer()
            .serialize("upcall.fops", SampleRecords.heartbeat());

    assertThatThrownBy(
            () -> UpcallSerdes.fopRecord().deserializer().deserialize("upcall.fops", heartbeat))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("upcall.fops: unknown schema fingerprint 0x")
        .hasMessageEndingWith(", not one of FopRecord v1");
  }

  @Test
  void nullStaysNullBothWaysForTombstones() {
    Serde<SpecificRecord> serde = UpcallSerdes.fopsTopic();

    assertThat(serde.serializer().serialize("upcall.fops", null)).isNull();
    assertThat(serde.deserializer().deserialize("upcall.fops", null)).isNull();
  }

  @Test
  void aRecordMissingARequiredFieldIsASerializationExceptionNamingTheTopic() {
    FopRecord broken = fullFop();
    broken.setClient(null);

    assertThatThrownBy(() -> UpcallSerdes.fopRecord().serializer().serialize("upcall.fops", broken))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("upcall.fops: cannot serialize FopRecord")
        .hasMessageContaining("client");
  }

  @Test
  void aFailedSerializationLeavesNothingBehindForTheNextRecord() throws Exception {
    Serde<FopRecord> serde = UpcallSerdes.fopRecord();
    FopRecord broken = fullFop();
    broken.setVolume(null); // fails at the first field
    FopRecord brokenLater = fullFop();
    brokenLater.setNewParentStat(SampleRecords.iatt(IaType.DIR, 1));
    brokenLater
        .getNewParentStat()
        .setType(null); // fails at the last field, most of the record encoded

    assertThatThrownBy(() -> serde.serializer().serialize("t", broken))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> serde.serializer().serialize("t", brokenLater))
        .isInstanceOf(SerializationException.class);

    byte[] bytes = serde.serializer().serialize("t", fullFop());
    assertThat(bytes).isEqualTo(toArray(fullFop().toByteBuffer()));
  }

  @Test
  void anOutsizedRecordSerializesAndSoDoSmallOnesAfterIt() {
    Serde<FopRecord> serde = UpcallSerdes.fopRecord();
    List<Gfid> many = Stream.generate(() -> SampleRecords.gfid(5)).limit(10_000).toList();
    FopRecord big = FopRecord.newBuilder(fullFop()).setFop(Fop.READDIRP).setEntries(many).build();

    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", big)))
        .isEqualTo(big);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", fullFop())))
        .isEqualTo(fullFop());
  }

  @Test
  void oneSerdeIsSafeToShareBetweenThreads() throws Exception {
    Serde<SpecificRecord> serde = UpcallSerdes.fopsTopic();
    List<SpecificRecord> records =
        List.of(
            fullFop(),
            SampleRecords.heartbeat(),
            FopRecord.newBuilder(fullFop()).setFop(Fop.UNLINK).setEntries(List.of()).build());
    Runnable work =
        () -> {
          for (int i = 0; i < 5_000; i++) {
            SpecificRecord record = records.get(i % records.size());
            SpecificRecord read =
                serde.deserializer().deserialize("t", serde.serializer().serialize("t", record));
            if (!read.equals(record)) {
              throw new AssertionError("read " + read + " for " + record);
            }
          }
        };
    var pool = Executors.newFixedThreadPool(4);
    try {
      var futures = Stream.generate(() -> pool.submit(work)).limit(4).toList();
      for (var future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
