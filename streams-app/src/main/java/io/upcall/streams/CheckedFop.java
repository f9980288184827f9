package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.FopRecord;
import io.upcall.avro.UpcallRequest;

/** A record of {@code upcall.fops} after validation: a fop to process, or bytes for the dead-letter topic. */
sealed interface CheckedFop {

  /** A fop that honours the contract, with the id invalidations will name as their cause. */
  record Accepted(FopRecord fop, String causeFopId) implements CheckedFop {}

  /** A brick's heartbeat: progress for the marks clients judge their freshness by. */
  record Heartbeat(BrickHeartbeat heartbeat) implements CheckedFop {}

  /** A brick's directed upcall (lease recall, lock contention) that honours its contract, for its client. */
  record Request(UpcallRequest request) implements CheckedFop {}

  /** The original value bytes of a record that does not deserialize or breaks the contract. */
  record Rejected(byte[] value, String reason) implements CheckedFop {}
}
