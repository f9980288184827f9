package io.upcall.schemas;

import io.upcall.avro.FopRecord;

/**
 * Shallow copies of fop records, for callers that then replace some fields: every field is set by name (a reordered
 * schema field cannot scramble them), and values are shared rather than deep-copied as Avro's copy builder does.
 */
public final class FopRecordCopies {
  private FopRecordCopies() {}

  /**
   * A new record holding {@code fop}'s field values. Set through the record's setters, not a builder's, so a field
   * the caller is about to fill (a brick not stamped yet) may still be null here, as with the all-fields constructor.
   */
  public static FopRecord of(FopRecord fop) {
    FopRecord copy = new FopRecord();
    copy.setVolume(fop.getVolume());
    copy.setBrick(fop.getBrick());
    copy.setFop(fop.getFop());
    copy.setClient(fop.getClient());
    copy.setGfid(fop.getGfid());
    copy.setEventTimeMs(fop.getEventTimeMs());
    copy.setParent(fop.getParent());
    copy.setNewParent(fop.getNewParent());
    copy.setNlink(fop.getNlink());
    copy.setOverwritten(fop.getOverwritten());
    copy.setOverwrittenNlink(fop.getOverwrittenNlink());
    copy.setEntries(fop.getEntries());
    copy.setXattrs(fop.getXattrs());
    copy.setModeChanged(fop.getModeChanged());
    copy.setTxId(fop.getTxId());
    copy.setFopId(fop.getFopId());
    copy.setStat(fop.getStat());
    copy.setParentStat(fop.getParentStat());
    copy.setNewParentStat(fop.getNewParentStat());
    return copy;
  }
}
