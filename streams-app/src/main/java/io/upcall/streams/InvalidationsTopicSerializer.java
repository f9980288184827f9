package io.upcall.streams;

import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/** Writes what the upcall processor forwards: per-client invalidations, or batches of them, each with its serde. */
final class InvalidationsTopicSerializer implements Serializer<SpecificRecord> {
  private final Serializer<Invalidation> invalidations;
  private final Serializer<InvalidationBatch> batches;

  InvalidationsTopicSerializer(
      Serializer<Invalidation> invalidations, Serializer<InvalidationBatch> batches) {
    this.invalidations = invalidations;
    this.batches = batches;
  }

  @Override
  public byte[] serialize(String topic, SpecificRecord value) {
    if (value == null) {
      return null;
    }
    if (value instanceof InvalidationBatch batch) {
      return batches.serialize(topic, batch);
    }
    if (value instanceof Invalidation invalidation) {
      return invalidations.serialize(topic, invalidation);
    }
    throw new SerializationException(
        "not an invalidation for " + topic + ": " + value.getClass().getName());
  }

  @Override
  public void close() {
    invalidations.close();
    batches.close();
  }
}
