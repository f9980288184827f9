package io.upcall.schemas.batch;

import io.upcall.avro.BatchedChange;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.schemas.InvalidationCopies;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the per-client invalidations out of an {@link InvalidationBatch}: every one in order (for tools that print
 * them), or only those of one client, decoding no change that is not addressed to it.
 */
public final class InvalidationBatches {
  private InvalidationBatches() {}

  /**
   * The per-client invalidations a value of {@code upcall.invalidations} stands for, whatever its format: one for an
   * Invalidation, all of a batch's, none for a progress mark or an upcall event.
   */
  public static List<Invalidation> perClient(
      SpecificRecord value, String topic, Deserializer<Invalidation> bodies) {
    if (value instanceof Invalidation invalidation) {
      return List.of(invalidation);
    }
    if (value instanceof InvalidationBatch batch) {
      return expand(batch, topic, bodies);
    }
    return List.of();
  }

  /** {@link #perClient(SpecificRecord, String, Deserializer)} of each of {@code values}, in order. */
  public static List<Invalidation> perClient(
      List<? extends SpecificRecord> values, String topic, Deserializer<Invalidation> bodies) {
    List<Invalidation> all = new ArrayList<>();
    for (SpecificRecord value : values) {
      all.addAll(perClient(value, topic, bodies));
    }
    return all;
  }

  /** Every (client, change) of {@code batch} as the per-client Invalidation it stands for, in batch order. */
  public static List<Invalidation> expand(
      InvalidationBatch batch, String topic, Deserializer<Invalidation> bodies) {
    List<Invalidation> all = new ArrayList<>();
    for (BatchedChange change : batch.getChanges()) {
      Invalidation body = decode(change, topic, bodies);
      for (String client : change.getRecipients()) {
        all.add(addressed(body, client));
      }
    }
    return all;
  }

  /** The invalidations of {@code batch} addressed to {@code client}, in batch order; others are not decoded. */
  public static List<Invalidation> addressedTo(
      InvalidationBatch batch, String client, String topic, Deserializer<Invalidation> bodies) {
    List<Invalidation> mine = List.of();
    for (BatchedChange change : batch.getChanges()) {
      if (change.getRecipients().contains(client)) {
        if (mine.isEmpty()) {
          mine = new ArrayList<>(2);
        }
        mine.add(addressed(decode(change, topic, bodies), client));
      }
    }
    return mine;
  }

  /** The number of per-client invalidations {@code batch} carries. */
  public static int size(InvalidationBatch batch) {
    int size = 0;
    for (BatchedChange change : batch.getChanges()) {
      size += change.getRecipients().size();
    }
    return size;
  }

  private static Invalidation decode(
      BatchedChange change, String topic, Deserializer<Invalidation> bodies) {
    ByteBuffer buffer = change.getInvalidation();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bodies.deserialize(topic, bytes);
  }

  /** A shallow copy: a batch's change decoded once is shared by its recipients' invalidations. */
  private static Invalidation addressed(Invalidation body, String client) {
    return InvalidationCopies.of(body).setClient(client).build();
  }
}
