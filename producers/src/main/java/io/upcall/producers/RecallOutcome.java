package io.upcall.producers;

import io.upcall.avro.LeaseRecallReply;

/**
 * How a lease recall ended: the holder released the lease, refused, or did not answer by the deadline (then the
 * brick acts on its own, as GlusterFS's leases translator does when recall-lease-timeout passes).
 *
 * @param requestId the recall's request id
 * @param client the uid of the client asked to release
 * @param status what the holder answered, or {@link Status#TIMED_OUT}
 * @param reply the holder's reply; null when it timed out
 */
public record RecallOutcome(
    String requestId, String client, Status status, LeaseRecallReply reply) {
  /** The three ways a recall ends. */
  public enum Status {
    RELEASED,
    NOT_RELEASED,
    TIMED_OUT
  }

  static RecallOutcome answered(LeaseRecallReply reply) {
    return new RecallOutcome(
        reply.getRequestId(),
        reply.getClient(),
        reply.getReleased() ? Status.RELEASED : Status.NOT_RELEASED,
        reply);
  }

  static RecallOutcome timedOut(String requestId, String client) {
    return new RecallOutcome(requestId, client, Status.TIMED_OUT, null);
  }
}
