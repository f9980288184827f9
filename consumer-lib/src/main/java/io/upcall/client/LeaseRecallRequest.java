package io.upcall.client;

import io.upcall.avro.Gfid;
import io.upcall.avro.UpcallEvent;
import java.time.Instant;

/**
 * A brick asks this client to give back a lease it holds on an inode, before a deadline.
 *
 * @param requestId the brick's id of this recall, named by the reply
 * @param volume the volume
 * @param brick the brick that asks, and gets the reply
 * @param gfid the inode the lease is on
 * @param leaseId the lease to give back; null when the brick did not name it
 * @param timeoutSeconds the seconds the brick gave this client to answer
 * @param deadline when the brick stops waiting and acts as if the lease were not released
 */
public record LeaseRecallRequest(
    String requestId,
    String volume,
    String brick,
    Gfid gfid,
    String leaseId,
    int timeoutSeconds,
    Instant deadline) {

  static LeaseRecallRequest of(UpcallEvent event) {
    int timeout = event.getRecall() == null ? 0 : event.getRecall().getTimeoutSeconds();
    long deadlineMs =
        event.getDeadlineMs() != null
            ? event.getDeadlineMs()
            : event.getEventTimeMs() + timeout * 1000L;
    return new LeaseRecallRequest(
        event.getRequestId(),
        event.getVolume(),
        event.getBrick(),
        event.getGfid(),
        event.getRecall() == null ? null : event.getRecall().getLeaseId(),
        timeout,
        Instant.ofEpochMilli(deadlineMs));
  }
}
