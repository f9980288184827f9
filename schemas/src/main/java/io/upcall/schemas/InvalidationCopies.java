package io.upcall.schemas;

import static io.upcall.schemas.UpcallFlag.FORGET;

import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import java.util.List;

/**
 * Invalidations derived from others, built field by field by name (a reordered schema field cannot scramble them):
 * copies of a change, sharing its values rather than deep-copying them as Avro's copy builder does (values are never
 * mutated), and FORGETs.
 */
public final class InvalidationCopies {
  private InvalidationCopies() {}

  /** A builder holding {@code change}'s fields, for the caller to replace some. */
  public static Invalidation.Builder of(Invalidation change) {
    return Invalidation.newBuilder()
        .setClient(change.getClient())
        .setGfid(change.getGfid())
        .setFlags(change.getFlags())
        .setVolume(change.getVolume())
        .setStat(change.getStat())
        .setParent(change.getParent())
        .setParentStat(change.getParentStat())
        .setOldParent(change.getOldParent())
        .setOldParentStat(change.getOldParentStat())
        .setXattrs(change.getXattrs())
        .setExpireTimeSeconds(change.getExpireTimeSeconds())
        .setEventTimeMs(change.getEventTimeMs())
        .setBrick(change.getBrick())
        .setCauseFopId(change.getCauseFopId());
  }

  /** A FORGET of {@code gfid} (client uid empty), from {@code volume} and {@code brick}. */
  public static Invalidation forget(
      Gfid gfid, String volume, String brick, int timeoutSeconds, long eventTimeMs, String cause) {
    return Invalidation.newBuilder()
        .setClient("")
        .setGfid(gfid)
        .setFlags(FORGET.bit())
        .setVolume(volume)
        .setStat(null)
        .setParent(null)
        .setParentStat(null)
        .setOldParent(null)
        .setOldParentStat(null)
        .setXattrs(List.of())
        .setExpireTimeSeconds(timeoutSeconds)
        .setEventTimeMs(eventTimeMs)
        .setBrick(brick)
        .setCauseFopId(cause)
        .build();
  }
}
