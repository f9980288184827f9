package io.upcall.schemas.serde;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.ConfigChange;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.avro.LeaseRecallReply;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.UpcallRequest;
import io.upcall.avro.XattrInterest;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeMeta;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The built-in value serdes of every Upcall record type: Avro single-object encoding, reading every published
 * schema version (see the module README for the wire format). Each call returns a new, thread-safe serde.
 */
public final class UpcallSerdes {
  private UpcallSerdes() {}

  /** Serde of {@link FopRecord} alone. */
  public static Serde<FopRecord> fopRecord() {
    return SingleObjectAvroSerde.of(FopRecord.class);
  }

  /** Serde of {@link BrickHeartbeat} alone. */
  public static Serde<BrickHeartbeat> brickHeartbeat() {
    return SingleObjectAvroSerde.of(BrickHeartbeat.class);
  }

  /** Serde of {@link Invalidation} alone. */
  public static Serde<Invalidation> invalidation() {
    return SingleObjectAvroSerde.of(Invalidation.class);
  }

  /** Serde of {@link InvalidationBatch} alone: many clients' invalidations in one record. */
  public static Serde<InvalidationBatch> invalidationBatch() {
    return SingleObjectAvroSerde.of(InvalidationBatch.class);
  }

  /** Serde of {@link ProgressMark} alone. */
  public static Serde<ProgressMark> progressMark() {
    return SingleObjectAvroSerde.of(ProgressMark.class);
  }

  /** Serde of {@link XattrInterest}, the values of {@code upcall.xattr-interest}. */
  public static Serde<XattrInterest> xattrInterest() {
    return SingleObjectAvroSerde.of(XattrInterest.class);
  }

  /** Serde of {@link ConfigChange}, the values of {@code upcall.config}. */
  public static Serde<ConfigChange> configChange() {
    return SingleObjectAvroSerde.of(ConfigChange.class);
  }

  /** Serde of {@link InodeEvent}, the values of the streams app's inode repartition topic. */
  public static Serde<InodeEvent> inodeEvent() {
    return SingleObjectAvroSerde.of(InodeEvent.class);
  }

  /** Serde of {@link InodeMeta}, the values of the streams app's per-inode store. */
  public static Serde<InodeMeta> inodeMeta() {
    return SingleObjectAvroSerde.of(InodeMeta.class);
  }

  /** Serde of {@link UpcallRequest} alone, a brick's directed upcall on {@code upcall.fops}. */
  public static Serde<UpcallRequest> upcallRequest() {
    return SingleObjectAvroSerde.of(UpcallRequest.class);
  }

  /** Serde of {@link UpcallEvent} alone, an upcall for one client on {@code upcall.invalidations}. */
  public static Serde<UpcallEvent> upcallEvent() {
    return SingleObjectAvroSerde.of(UpcallEvent.class);
  }

  /** Serde of {@link LeaseRecallReply}, the values of {@code upcall.replies}. */
  public static Serde<LeaseRecallReply> leaseRecallReply() {
    return SingleObjectAvroSerde.of(LeaseRecallReply.class);
  }

  /** Serde of {@code upcall.fops} values: a {@link FopRecord}, a {@link BrickHeartbeat} or an {@link UpcallRequest}. */
  public static Serde<SpecificRecord> fopsTopic() {
    return SingleObjectAvroSerde.ofAny(FopRecord.class, BrickHeartbeat.class, UpcallRequest.class);
  }

  /**
   * Serde of {@code upcall.invalidations} values: an {@link Invalidation}, an {@link InvalidationBatch}, a
   * {@link ProgressMark} or an {@link UpcallEvent}.
   */
  public static Serde<SpecificRecord> invalidationsTopic() {
    return SingleObjectAvroSerde.ofAny(
        Invalidation.class, InvalidationBatch.class, ProgressMark.class, UpcallEvent.class);
  }
}
