package io.upcall.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Invalidation;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.UpcallEventType;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The upcall event types join the shared topics without breaking readers or records of the first version. */
class UpcallEventCompatibilityTest {
  /** The invalidation topic's serde as clients built before upcall events knew it. */
  private static Serde<SpecificRecord> oldInvalidationsReader() {
    return SingleObjectAvroSerde.ofAny(Invalidation.class, ProgressMark.class);
  }

  @Test
  void anOldReaderMeetingAnUpcallEventGetsAClearUnknownFingerprintError() {
    byte[] event =
        UpcallSerdes.invalidationsTopic()
            .serializer()
            .serialize("upcall.invalidations", SampleRecords.recallEvent());

    assertThatThrownBy(
            () ->
                oldInvalidationsReader().deserializer().deserialize("upcall.invalidations", event))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("upcall.invalidations: unknown schema fingerprint 0x")
        .hasMessageEndingWith("not one of Invalidation v1, ProgressMark v1");
  }

  @Test
  void recordsOfOldWritersAreReadUnchangedByTheNewTopicSerdes() {
    byte[] invalidation =
        oldInvalidationsReader()
            .serializer()
            .serialize("upcall.invalidations", SampleRecords.fullInvalidation());
    byte[] fop =
        SingleObjectAvroSerde.ofAny(FopRecord.class, BrickHeartbeat.class)
            .serializer()
            .serialize("upcall.fops", SampleRecords.fullFop());

    assertThat(
            UpcallSerdes.invalidationsTopic()
                .deserializer()
                .deserialize("upcall.invalidations", invalidation))
        .isEqualTo(SampleRecords.fullInvalidation());
    assertThat(UpcallSerdes.fopsTopic().deserializer().deserialize("upcall.fops", fop))
        .isEqualTo(SampleRecords.fullFop());
  }

  @Test
  void oldReadersStillReadWhatTheNewTopicSerdesWriteForThem() {
    byte[] mark =
        UpcallSerdes.invalidationsTopic()
            .serializer()
            .serialize("upcall.invalidations", SampleRecords.progressMark());

    assertThat(oldInvalidationsReader().deserializer().deserialize("upcall.invalidations", mark))
        .isEqualTo(SampleRecords.progressMark());
  }

  /**
   * A reader given a newer writer's schema (as a registry serde would fetch it) resolves an event type it does not
   * know to UNKNOWN, the enum's default, and drops the fields it does not know.
   */
  @Test
  void anEventTypeUnknownToTheReaderResolvesToUnknown() throws IOException {
    SchemaVersion next = testOnlyNextVersion();
    SchemaVersion v1 = RecordType.published(UpcallEvent.class).readable().get(0);
    SingleObjectAvroSerde<UpcallEvent> reader =
        new SingleObjectAvroSerde<>(
            List.of(RecordType.withHistory(UpcallEvent.class, List.of(v1, next))));
    GenericData.Record newer =
        (GenericData.Record) HistoricalWriter.convert(SampleRecords.recallEvent(), v1.schema());
    GenericData.Record written = new GenericData.Record(next.schema());
    for (Schema.Field field : v1.schema().getFields()) {
      written.put(field.name(), newer.get(field.name()));
    }
    written.put(
        "eventType",
        new GenericData.EnumSymbol(next.schema().getField("eventType").schema(), "QUOTA_WARNING"));
    written.put("quotaBytes", 1L << 40);

    UpcallEvent read =
        reader.deserialize("upcall.invalidations", HistoricalWriter.write(written, next.schema()));

    assertThat(read.getEventType()).isEqualTo(UpcallEventType.UNKNOWN);
    assertThat(read.getClient()).isEqualTo("client-a");
    assertThat(read.getRequestId()).isEqualTo("b1:r7");
  }

  private static SchemaVersion testOnlyNextVersion() throws IOException {
    try (InputStream in =
        UpcallEventCompatibilityTest.class.getResourceAsStream("vnext/UpcallEvent.avsc")) {
      return new SchemaVersion("UpcallEvent", 2, new Schema.Parser().parse(in));
    }
  }
}
