package io.upcall.reliability;

import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;

/**
 * One invalidation as the comparison sees it: who is told, about which inode, which flags, because of which fop
 * (its fop id, or its position in the fop topic) at which event time. Stats and the publishing brick are left out:
 * replicas of one fop carry the same fop id but different bricks, and the model does not track stats.
 */
record Told(String client, String gfid, int flags, String cause, long eventTimeMs) {

  /** A client, an inode and a millisecond: where docs/semantics.md permits one invalidation beyond those required. */
  record Moment(String client, String gfid, long eventTimeMs) {}

  Moment moment() {
    return new Moment(client, gfid, eventTimeMs);
  }

  static Told of(Invalidation invalidation) {
    return new Told(
        invalidation.getClient(),
        Gfids.format(invalidation.getGfid()),
        invalidation.getFlags(),
        invalidation.getCauseFopId(),
        invalidation.getEventTimeMs());
  }

  @Override
  public String toString() {
    return client
        + " <- "
        + gfid
        + " "
        + UpcallFlag.names(flags)
        + " ("
        + cause
        + " @"
        + eventTimeMs
        + ")";
  }
}
