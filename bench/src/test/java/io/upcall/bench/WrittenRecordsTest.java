package io.upcall.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Invalidation;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.UpcallEvent;
import io.upcall.schemas.serde.UpcallSerdes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** Records of the invalidation topic are told apart by their single-object fingerprint, whatever comes next. */
class WrittenRecordsTest {

  @Test
  void aProgressMarkAndAnUpcallEventAreNotInvalidationRecordsAndAnythingElseIs() {
    ProgressMark mark =
        ProgressMark.newBuilder()
            .setTask("0_1")
            .setTaskCount(12)
            .setWatermarkMs(1)
            .setEmittedAtMs(2)
            .build();
    byte[] serialized =
        UpcallSerdes.progressMark().serializer().serialize("upcall.invalidations", mark);

    assertThat(WrittenRecords.invalidationTopicKind(serialized))
        .isEqualTo(WrittenRecords.PROGRESS_MARK);
    assertThat(WrittenRecords.invalidationTopicKind(header(UpcallEvent.getClassSchema())))
        .isEqualTo(WrittenRecords.UPCALL_EVENT);
    assertThat(WrittenRecords.invalidationTopicKind(header(Invalidation.getClassSchema())))
        .isEqualTo(WrittenRecords.INVALIDATION);
    // A record type the bench has never heard of (a batch of invalidations, say) is an invalidation
    // record.
    Schema batch =
        SchemaBuilder.record("InvalidationBatch")
            .namespace("io.upcall.avro")
            .fields()
            .requiredString("volume")
            .endRecord();
    assertThat(WrittenRecords.invalidationTopicKind(header(batch)))
        .isEqualTo(WrittenRecords.INVALIDATION);
    assertThat(WrittenRecords.invalidationTopicKind(null)).isEqualTo(WrittenRecords.INVALIDATION);
  }

  /** The 10-byte single-object header of {@code schema} followed by a byte of body. */
  private static byte[] header(Schema schema) {
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    byte[] bytes = new byte[11];
    bytes[0] = (byte) 0xC3;
    bytes[1] = (byte) 0x01;
    for (int i = 2; i < 10; i++) {
      bytes[i] = (byte) (fingerprint >>> (8 * (i - 2)));
    }
    return bytes;
  }
}
