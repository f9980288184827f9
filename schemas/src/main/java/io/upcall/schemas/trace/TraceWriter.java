package io.upcall.schemas.trace;

import static io.upcall.schemas.trace.TraceFormat.BRICK;
import static io.upcall.schemas.trace.TraceFormat.CLIENT;
import static io.upcall.schemas.trace.TraceFormat.ENTRIES;
import static io.upcall.schemas.trace.TraceFormat.FOP;
import static io.upcall.schemas.trace.TraceFormat.GFID;
import static io.upcall.schemas.trace.TraceFormat.MODE_CHANGED;
import static io.upcall.schemas.trace.TraceFormat.NEW_PARENT;
import static io.upcall.schemas.trace.TraceFormat.NLINK;
import static io.upcall.schemas.trace.TraceFormat.OVERWRITTEN;
import static io.upcall.schemas.trace.TraceFormat.OVERWRITTEN_NLINK;
import static io.upcall.schemas.trace.TraceFormat.PARENT;
import static io.upcall.schemas.trace.TraceFormat.TS;
import static io.upcall.schemas.trace.TraceFormat.TX_ID;
import static io.upcall.schemas.trace.TraceFormat.VOLUME;
import static io.upcall.schemas.trace.TraceFormat.XATTRS;

import com.fasterxml.jackson.core.JsonGenerator;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Xattr;
import io.upcall.avro.XattrInterest;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Writes fop records and xattr registrations as lines of the JSON-lines trace (docs/trace-format.md), which
 * {@link TraceReader} reads back. A trace keeps no stats, xattr values or fopId; gfids are written as the alias the
 * table knows, else as canonical UUIDs. Not thread-safe.
 */
public final class TraceWriter implements Closeable, Flushable {
  private final Writer out;
  private final GfidAliases aliases;

  /** A writer of lines to {@code out}, printing gfids through {@code aliases}. */
  public TraceWriter(Writer out, GfidAliases aliases) {
    this.out = out;
    this.aliases = aliases;
  }

  /** Writes {@code fop} as one line. */
  public void write(FopRecord fop) {
    writeLine(line(fop));
  }

  /** Writes {@code interest} as one {@code REGISTER_XATTRS} line. */
  public void write(XattrInterest interest) {
    writeLine(line(interest));
  }

  /** Writes {@code event} as one line. */
  public void write(TraceEvent event) {
    if (event instanceof TraceEvent.FopEvent fop) {
      write(fop.record());
    } else if (event instanceof TraceEvent.XattrRegistration registration) {
      write(registration.interest());
    }
  }

  /** The trace line of {@code fop}, without a line terminator. */
  public String line(FopRecord fop) {
    StringWriter text = new StringWriter(160);
    try (JsonGenerator json = TraceFormat.JSON.createGenerator(text)) {
      json.writeStartObject();
      json.writeNumberField(TS, fop.getEventTimeMs());
      json.writeStringField(CLIENT, required(fop.getClient(), CLIENT));
      json.writeStringField(FOP, required(fop.getFop(), FOP).name());
      json.writeStringField(GFID, aliases.display(required(fop.getGfid(), GFID)));
      gfidField(json, PARENT, fop.getParent());
      gfidField(json, NEW_PARENT, fop.getNewParent());
      if (fop.getNlink() != null) {
        json.writeNumberField(NLINK, fop.getNlink());
      }
      gfidField(json, OVERWRITTEN, fop.getOverwritten());
      if (fop.getOverwrittenNlink() != null) {
        json.writeNumberField(OVERWRITTEN_NLINK, fop.getOverwrittenNlink());
      }
      if (fop.getEntries() != null && !fop.getEntries().isEmpty()) {
        json.writeArrayFieldStart(ENTRIES);
        for (Gfid entry : fop.getEntries()) {
          json.writeString(aliases.display(entry));
        }
        json.writeEndArray();
      }
      if (fop.getXattrs() != null && !fop.getXattrs().isEmpty()) {
        json.writeArrayFieldStart(XATTRS);
        for (Xattr xattr : fop.getXattrs()) {
          json.writeString(xattr.getName());
        }
        json.writeEndArray();
      }
      if (fop.getModeChanged()) {
        json.writeBooleanField(MODE_CHANGED, true);
      }
      if (fop.getTxId() != null) {
        json.writeStringField(TX_ID, fop.getTxId());
      }
      originField(json, VOLUME, fop.getVolume());
      originField(json, BRICK, fop.getBrick());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** The {@code REGISTER_XATTRS} trace line of {@code interest}, without a line terminator. */
  public String line(XattrInterest interest) {
    StringWriter text = new StringWriter(80);
    try (JsonGenerator json = TraceFormat.JSON.createGenerator(text)) {
      json.writeStartObject();
      json.writeNumberField(TS, interest.getUpdatedAtMs());
      json.writeStringField(CLIENT, required(interest.getClient(), CLIENT));
      json.writeStringField(FOP, TraceFormat.REGISTER_XATTRS);
      json.writeArrayFieldStart(XATTRS);
      for (String pattern : interest.getPatterns()) {
        json.writeString(pattern);
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  @Override
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private void writeLine(String line) {
    try {
      out.write(line);
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void gfidField(JsonGenerator json, String field, Gfid gfid) throws IOException {
    if (gfid != null) {
      json.writeStringField(field, aliases.display(gfid));
    }
  }

  private static void originField(JsonGenerator json, String field, String value)
      throws IOException {
    if (value != null && !value.equals(TraceFormat.DEFAULT_ORIGIN)) {
      json.writeStringField(field, value);
    }
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("cannot write a trace line without " + field);
    }
    return value;
  }
}
