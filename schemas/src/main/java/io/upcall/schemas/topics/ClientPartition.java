package io.upcall.schemas.topics;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of {@code upcall.invalidations} a client uid hashes to: Kafka's documented default placement of a
 * keyed record (murmur2 of the key bytes, made positive, modulo the partition count), so a record keyed by the uid
 * and a batch addressed to it land in the partition the client reads.
 */
public final class ClientPartition {
  private ClientPartition() {}

  /** The partition of {@code uid} among {@code partitions}. */
  public static int of(String uid, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    return Utils.toPositive(Utils.murmur2(uid.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
