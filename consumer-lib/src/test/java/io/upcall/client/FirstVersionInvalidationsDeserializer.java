package io.upcall.client;

import io.upcall.avro.Invalidation;
import io.upcall.avro.ProgressMark;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The invalidation topic as a client built before upcall events read it: it knows Invalidation and ProgressMark
 * only (Avro's own single-object decoders of those classes), so any other fingerprint fails to decode.
 */
final class FirstVersionInvalidationsDeserializer implements Deserializer<SpecificRecord> {
  private static final long INVALIDATION =
      SchemaNormalization.parsingFingerprint64(Invalidation.getClassSchema());
  private static final long PROGRESS_MARK =
      SchemaNormalization.parsingFingerprint64(ProgressMark.getClassSchema());

  @Override
  public SpecificRecord deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    long fingerprint = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    try {
      if (fingerprint == INVALIDATION) {
        return Invalidation.fromByteBuffer(ByteBuffer.wrap(data));
      }
      if (fingerprint == PROGRESS_MARK) {
        return ProgressMark.fromByteBuffer(ByteBuffer.wrap(data));
      }
    } catch (IOException e) {
      throw new SerializationException(topic + ": corrupt record", e);
    }
    throw new SerializationException(
        String.format(
            "%s: unknown schema fingerprint 0x%016x, not one of Invalidation v1, ProgressMark v1",
            topic, fingerprint));
  }
}
