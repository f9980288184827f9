package io.upcall.schemas.trace;

import com.fasterxml.jackson.core.JsonGenerator;
import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.UpcallFlag;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Prints an {@link Invalidation} as one JSON object, the output format of {@code upcall simulate} and
 * {@code upcall tail}: {@code client}, {@code gfid}, {@code flags} (names), {@code ts}, and {@code xattrs}
 * (names) when there are any; verbose adds volume, brick, cause, timeout, parents and stats. Thread-safe.
 */
public final class InvalidationJson {
  private final GfidAliases aliases;
  private final boolean verbose;

  /** A printer that shows gfids by the aliases {@code aliases} knows; {@code verbose} adds the rest of the record. */
  public InvalidationJson(GfidAliases aliases, boolean verbose) {
    this.aliases = aliases;
    this.verbose = verbose;
  }

  /** The JSON object of {@code invalidation}, on one line without a terminator. */
  public String toJson(Invalidation invalidation) {
    StringWriter text = new StringWriter(128);
    try (JsonGenerator json = TraceFormat.JSON.createGenerator(text)) {
      json.writeStartObject();
      json.writeStringField("client", invalidation.getClient());
      json.writeStringField("gfid", aliases.display(invalidation.getGfid()));
      json.writeArrayFieldStart("flags");
      for (String flag : UpcallFlag.names(invalidation.getFlags())) {
        json.writeString(flag);
      }
      json.writeEndArray();
      json.writeNumberField("ts", invalidation.getEventTimeMs());
      if (invalidation.getXattrs() != null && !invalidation.getXattrs().isEmpty()) {
        json.writeArrayFieldStart("xattrs");
        for (Xattr xattr : invalidation.getXattrs()) {
          json.writeString(xattr.getName());
        }
        json.writeEndArray();
      }
      if (verbose) {
        writeDetails(json, invalidation);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private void writeDetails(JsonGenerator json, Invalidation invalidation) throws IOException {
    json.writeStringField("volume", invalidation.getVolume());
    json.writeStringField("brick", invalidation.getBrick());
    json.writeStringField("causeFopId", invalidation.getCauseFopId());
    json.writeNumberField("expireTimeSeconds", invalidation.getExpireTimeSeconds());
    gfid(json, "parent", invalidation.getParent());
    gfid(json, "oldParent", invalidation.getOldParent());
    stat(json, "stat", invalidation.getStat());
    stat(json, "parentStat", invalidation.getParentStat());
    stat(json, "oldParentStat", invalidation.getOldParentStat());
  }

  private void gfid(JsonGenerator json, String field, Gfid gfid) throws IOException {
    if (gfid != null) {
      json.writeStringField(field, aliases.display(gfid));
    }
  }

  private static void stat(JsonGenerator json, String field, Iatt stat) throws IOException {
    if (stat == null) {
      return;
    }
    json.writeObjectFieldStart(field);
    json.writeStringField("type", stat.getType().name());
    json.writeStringField("mode", String.format("%04o", stat.getMode()));
    json.writeNumberField("uid", stat.getUid());
    json.writeNumberField("gid", stat.getGid());
    json.writeNumberField("nlink", stat.getNlink());
    json.writeNumberField("size", stat.getSize());
    json.writeNumberField("blocks", stat.getBlocks());
    json.writeStringField("atime", time(stat.getAtimeSec(), stat.getAtimeNsec()));
    json.writeStringField("mtime", time(stat.getMtimeSec(), stat.getMtimeNsec()));
    json.writeStringField("ctime", time(stat.getCtimeSec(), stat.getCtimeNsec()));
    json.writeEndObject();
  }

  private static String time(long seconds, int nanos) {
    return seconds + "." + String.format("%09d", nanos);
  }
}
