package io.upcall.schemas;

import io.upcall.avro.Gfid;
import io.upcall.avro.UpcallRequest;
import io.upcall.avro.UpcallRequestType;
import java.util.Optional;

/**
 * The contract every {@link UpcallRequest} must meet; checked by the brick publisher before sending and by the
 * streams app before routing (which dead-letters what breaks it), like {@link FopContract} for fops.
 */
public final class UpcallRequestContract {
  private UpcallRequestContract() {}

  /** What is wrong with {@code request}, naming the field; empty when it meets the contract. */
  public static Optional<String> violation(UpcallRequest request) {
    return Optional.ofNullable(firstViolation(request));
  }

  /**
   * Returns normally when {@code request} meets the contract.
   *
   * @throws IllegalArgumentException whose message names the field that breaks it
   */
  public static void check(UpcallRequest request) {
    String violation = firstViolation(request);
    if (violation != null) {
      throw new IllegalArgumentException(violation);
    }
  }

  private static String firstViolation(UpcallRequest request) {
    if (request == null) {
      return "the upcall request is missing";
    }
    if (empty(request.getRequestId())) {
      return "requestId must not be empty";
    }
    if (empty(request.getBrick())) {
      return "brick must not be empty";
    }
    if (empty(request.getClient())) {
      return "client must not be empty (the uid of the lease or lock holder)";
    }
    Gfid gfid = request.getGfid();
    if (gfid == null) {
      return "gfid is missing";
    }
    if (gfid.bytes() == null || gfid.bytes().length != 16) {
      return "gfid must be 16 bytes";
    }
    if (Gfids.toUuid(gfid).getMostSignificantBits() == 0
        && Gfids.toUuid(gfid).getLeastSignificantBits() == 0) {
      return "gfid must not be the all-zero (null) gfid";
    }
    if (request.getEventTimeMs() < 0) {
      return "eventTimeMs must be >= 0, was " + request.getEventTimeMs();
    }
    if (request.getType() == null) {
      return "type is missing";
    }
    if (request.getType() == UpcallRequestType.UNKNOWN) {
      return "type must not be UNKNOWN (a request type this version does not know)";
    }
    Integer timeout = request.getRecallTimeoutSeconds();
    if (timeout != null && timeout < 1) {
      return "recallTimeoutSeconds must be >= 1, was " + timeout;
    }
    return null;
  }

  private static boolean empty(String text) {
    return text == null || text.isEmpty();
  }
}
