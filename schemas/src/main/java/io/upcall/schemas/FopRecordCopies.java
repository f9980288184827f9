package io.upcall.schemas;

import io.upcall.avro.FopRecord;

/**
 * Copies of a fop record with some fields replaced: every field set by name (a reordered schema field cannot scramble
 * them), and its values shared rather than deep-copied as Avro's copy builder does.
 */
public final class FopRecordCopies {
  private FopRecordCopies() {}

  /** A builder holding {@code fop}'s fields, for the caller to replace some. */
  public static FopRecord.Builder of(FopRecord fop) {
    return FopRecord.newBuilder()
        .setVolume(fop.getVolume())
        .setBrick(fop.getBrick())
        .setFop(fop.getFop())
        .setClient(fop.getClient())
        .setGfid(fop.getGfid())
        .setEventTimeMs(fop.getEventTimeMs())
        .setParent(fop.getParent())
        .setNewParent(fop.getNewParent())
        .setNlink(fop.getNlink())
        .setOverwritten(fop.getOverwritten())
        .setOverwrittenNlink(fop.getOverwrittenNlink())
        .setEntries(fop.getEntries())
        .setXattrs(fop.getXattrs())
        .setModeChanged(fop.getModeChanged())
        .setTxId(fop.getTxId())
        .setFopId(fop.getFopId())
        .setStat(fop.getStat())
        .setParentStat(fop.getParentStat())
        .setNewParentStat(fop.getNewParentStat());
  }
}
