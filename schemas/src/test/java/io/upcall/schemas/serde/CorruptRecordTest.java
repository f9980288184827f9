package io.upcall.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.XattrInterest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class CorruptRecordTest {
  private final Deserializer<SpecificRecord> fops = UpcallSerdes.fopsTopic().deserializer();
  private final byte[] valid =
      UpcallSerdes.fopRecord().serializer().serialize("upcall.fops", SampleRecords.fullFop());

  @Test
  void garbageBytesAreNotSingleObjectEncoding() {
    byte[] garbage = "hello, this is not avro".getBytes();

    assertThatThrownBy(() -> fops.deserialize("upcall.fops", garbage))
        .isInstanceOf(SerializationException.class)
        .hasMessage(
            "upcall.fops: not Avro single-object encoding, marker 0x6865 instead of 0xc301");
  }

  @Test
  void aWrongMarkerIsRefusedEvenWithAKnownFingerprint() {
    byte[] bytes = valid.clone();
    bytes[1] = 0x02;

    assertThatThrownBy(() -> fops.deserialize("upcall.fops", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessage(
            "upcall.fops: not Avro single-object encoding, marker 0xc302 instead of 0xc301");
  }

  @Test
  void anUnknownFingerprintNamesTheTopicTheFingerprintAndTheKnownVersions() {
    byte[] bytes = valid.clone();
    ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);

    assertThatThrownBy(() -> fops.deserialize("upcall.fops", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessage(
            "upcall.fops: unknown schema fingerprint 0x0123456789abcdef, not one of FopRecord v1, BrickHeartbeat v1..v3, UpcallRequest v1");
  }

  @Test
  void bytesShorterThanTheHeaderAreTruncated() {
    assertThatThrownBy(() -> fops.deserialize("upcall.fops", Arrays.copyOf(valid, 5)))
        .isInstanceOf(SerializationException.class)
        .hasMessage(
            "upcall.fops: truncated record, 5 bytes, shorter than the 10-byte single-object header (marker + fingerprint)");
    assertThatThrownBy(() -> fops.deserialize("upcall.fops", new byte[0]))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("truncated record, 0 bytes");
  }

  @Test
  void aTruncatedBodyNamesTheTopicAndTheVersion() {
    for (int length = SingleObjectAvroSerde.HEADER_LENGTH; length < valid.length; length++) {
      byte[] truncated = Arrays.copyOf(valid, length);

      assertThatThrownBy(() -> fops.deserialize("upcall.fops", truncated))
          .as("truncated to %d of %d bytes", length, valid.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageStartingWith(
              "upcall.fops: cannot decode FopRecord v1 body (" + (length - 10) + " bytes)");
    }
  }

  @Test
  void trailingBytesAfterTheBodyAreCorruption() {
    byte[] longer = Arrays.copyOf(valid, valid.length + 3);

    assertThatThrownBy(() -> fops.deserialize("upcall.fops", longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("upcall.fops: trailing bytes after a FopRecord v1 body");
  }

  @Test
  void aHugeClaimedStringLengthFailsCleanlyInsteadOfAllocatingIt() throws IOException {
    byte[] bytes = xattrInterestBody(encoder -> encoder.writeLong(2_000_000_000L));

    assertThatThrownBy(
            () ->
                UpcallSerdes.xattrInterest()
                    .deserializer()
                    .deserialize("upcall.xattr-interest", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("upcall.xattr-interest: cannot decode XattrInterest v1 body")
        .hasMessageContaining("string length of 2000000000");
  }

  @Test
  void aHugeClaimedArrayCountFailsCleanlyInsteadOfAllocatingIt() throws IOException {
    byte[] bytes =
        xattrInterestBody(
            encoder -> {
              encoder.writeString("client");
              encoder.writeLong(1_500_000_000L);
            });

    assertThatThrownBy(
            () ->
                UpcallSerdes.xattrInterest()
                    .deserializer()
                    .deserialize("upcall.xattr-interest", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("array block of 1500000000 items");
  }

  @Test
  void randomBytesBehindAValidHeaderAreEitherARecordOrASerializationException() {
    Random random = new Random(42);
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes =
          Arrays.copyOf(valid, SingleObjectAvroSerde.HEADER_LENGTH + random.nextInt(120));
      for (int b = SingleObjectAvroSerde.HEADER_LENGTH; b < bytes.length; b++) {
        bytes[b] = (byte) random.nextInt(256);
      }
      try {
        assertThat(fops.deserialize("upcall.fops", bytes)).isNotNull();
        decoded++;
      } catch (SerializationException expected) {
        assertThat(expected).hasMessageStartingWith("upcall.fops: ");
      }
    }
    assertThat(decoded).as("garbage that happens to decode").isLessThan(20_000);
  }

  @Test
  void flippingAnyByteOfARecordNeverEscapesAsAnythingButASerializationException() {
    for (int i = 0; i < valid.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bytes = valid.clone();
        bytes[i] ^= (byte) (1 << bit);
        try {
          fops.deserialize("upcall.fops", bytes);
        } catch (SerializationException expected) {
          assertThat(expected).hasMessageStartingWith("upcall.fops: ");
        }
      }
    }
  }

  @Test
  void aMissingTopicIsSaidSo() {
    assertThatThrownBy(() -> fops.deserialize(null, new byte[3]))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("(no topic): truncated record");
  }

  interface BodyWriter {
    void write(BinaryEncoder encoder) throws IOException;
  }

  private static byte[] xattrInterestBody(BodyWriter body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        SingleObjectAvroSerde.header(
            SchemaNormalization.parsingFingerprint64(XattrInterest.getClassSchema())));
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    body.write(encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
