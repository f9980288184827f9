package io.upcall.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.FopRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaEvolutionTest {

  static Stream<Arguments> everyPublishedVersionOfEveryType() {
    List<Arguments> cases = new ArrayList<>();
    for (SpecificRecord sample : SampleRecords.everyType()) {
      for (SchemaVersion version :
          RecordType.published(sample.getClass().asSubclass(SpecificRecord.class)).readable()) {
        cases.add(Arguments.of(version.label(), version, sample));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyPublishedVersionOfEveryType")
  void recordsWrittenWithEveryPublishedVersionAreReadByTheCurrentReader(
      String label, SchemaVersion version, SpecificRecord sample) {
    byte[] old = HistoricalWriter.write(sample, version.schema());

    SpecificRecord read = serdeFor(sample).deserialize("topic", old);

    assertThat(read).hasSameClassAs(sample);
    for (Schema.Field field : sample.getSchema().getFields()) {
      Object expected =
          version.schema().getField(field.name()) != null
              ? sample.get(field.pos())
              : SpecificData.get().getDefaultValue(field);
      assertThat(read.get(field.pos()))
          .as("%s read from %s", field.name(), label)
          .isEqualTo(expected);
    }
  }

  @Test
  void anOlderFopRecordWithoutLaterFieldsResolvesWithTheirDefaults() throws IOException {
    SchemaVersion v0 = testOnlyV0();
    SchemaVersion v1 = RecordType.published(FopRecord.class).readable().get(0);
    SingleObjectAvroSerde<FopRecord> serde =
        new SingleObjectAvroSerde<>(
            List.of(RecordType.withHistory(FopRecord.class, List.of(v0, v1))));
    byte[] old = HistoricalWriter.write(SampleRecords.fullFop(), v0.schema());

    FopRecord read = serde.deserialize("upcall.fops", old);

    assertThat(SampleRecords.fullFop().getEntries()).isNotEmpty();
    assertThat(read.getEntries()).isEmpty();
    assertThat(read.getFopId()).isNull();
    assertThat(read.getNewParentStat()).isNull();
    assertThat(read)
        .isEqualTo(
            FopRecord.newBuilder(SampleRecords.fullFop())
                .setEntries(List.of())
                .setFopId(null)
                .setNewParentStat(null)
                .build());
    assertThat(serde.toString()).contains("FopRecord v0..v1");
  }

  @Test
  void aVersionThatWasNeverPublishedIsAnUnknownFingerprint() throws IOException {
    byte[] old = HistoricalWriter.write(SampleRecords.fullFop(), testOnlyV0().schema());

    assertThatThrownBy(
            () -> UpcallSerdes.fopRecord().deserializer().deserialize("upcall.fops", old))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("upcall.fops: unknown schema fingerprint 0x")
        .hasMessageEndingWith("not one of FopRecord v1");
  }

  private static SchemaVersion testOnlyV0() throws IOException {
    try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("v0/FopRecord.avsc")) {
      return new SchemaVersion("FopRecord", 0, new Schema.Parser().parse(in));
    }
  }

  @SuppressWarnings("unchecked")
  private static Deserializer<SpecificRecord> serdeFor(SpecificRecord sample) {
    return (Deserializer<SpecificRecord>)
        (Deserializer<?>) SingleObjectAvroSerde.of(sample.getClass()).deserializer();
  }
}
