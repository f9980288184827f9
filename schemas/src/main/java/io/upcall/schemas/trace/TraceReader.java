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

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Xattr;
import io.upcall.avro.XattrInterest;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads the JSON-lines trace (docs/trace-format.md): one JSON object per line, blank lines skipped. Checks the
 * format only (required fields, types, fop names); whether a fop makes sense is
 * {@link io.upcall.schemas.FopContract}'s job. Not thread-safe.
 */
public final class TraceReader implements Closeable {
  private static final int MAX_SHOWN = 40;

  private final BufferedReader in;
  private final GfidAliases aliases;
  private long lineNumber;

  /** A reader with its own alias table. */
  public TraceReader(Reader in) {
    this(in, new GfidAliases());
  }

  /** A reader that resolves gfid aliases through {@code aliases}, shared with whoever prints the results. */
  public TraceReader(Reader in, GfidAliases aliases) {
    this.in = in instanceof BufferedReader buffered ? buffered : new BufferedReader(in);
    this.aliases = aliases;
  }

  /**
   * The event on the next non-blank line, or empty at the end of the input. After a
   * {@link TraceFormatException} the caller may go on reading from the line after the malformed one.
   *
   * @throws TraceFormatException {@code line N: <reason>} when the line is not in the trace format
   * @throws UncheckedIOException when the input cannot be read
   */
  public Optional<TraceEvent> next() {
    String line;
    do {
      try {
        line = in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException("reading trace line " + (lineNumber + 1), e);
      }
      if (line == null) {
        return Optional.empty();
      }
      lineNumber++;
    } while (line.isBlank());
    return Optional.of(parse(lineNumber, line));
  }

  /** The remaining events, read lazily; a malformed line ends the stream with its {@link TraceFormatException}. */
  public Stream<TraceEvent> events() {
    Iterator<TraceEvent> iterator =
        new Iterator<>() {
          private TraceEvent next;

          @Override
          public boolean hasNext() {
            if (next == null) {
              next = TraceReader.this.next().orElse(null);
            }
            return next != null;
          }

          @Override
          public TraceEvent next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            TraceEvent event = next;
            next = null;
            return event;
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED), false);
  }

  /** The 1-based number of the line read last (0 before the first), counting blank lines. */
  public long lineNumber() {
    return lineNumber;
  }

  /** The alias table this reader resolves gfids through. */
  public GfidAliases aliases() {
    return aliases;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private TraceEvent parse(long number, String text) {
    return new Line(number, text).parse();
  }

  /** One line being parsed; every error names the line and the field. */
  private final class Line {
    private final long number;
    private final String text;
    private JsonNode json;

    Line(long number, String text) {
      this.number = number;
      this.text = text;
    }

    TraceEvent parse() {
      try (JsonParser parser = TraceFormat.JSON.createParser(text)) {
        json = TraceFormat.JSON.readTree(parser);
        long more = columnOfMore(parser);
        if (more > 0) {
          throw error("not valid JSON at column " + more + " (text after the object)");
        }
      } catch (JsonProcessingException e) {
        throw error(notJson(e));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (json == null || !json.isObject()) {
        throw error("not a JSON object");
      }
      long ts = requiredLong(TS);
      String client = requiredText(CLIENT);
      String fopName = requiredText(FOP);
      if (fopName.equalsIgnoreCase(TraceFormat.REGISTER_XATTRS)) {
        return registration(ts, client);
      }
      Fop fop = fop(fopName);
      checkKnownFields(TraceFormat.FOP_FIELDS, fop.name());
      if (absent(GFID)) {
        throw error("missing required field '" + GFID + "' for " + fop);
      }
      FopRecord record =
          FopRecord.newBuilder()
              .setVolume(optionalText(VOLUME).orElse(TraceFormat.DEFAULT_ORIGIN))
              .setBrick(optionalText(BRICK).orElse(TraceFormat.DEFAULT_ORIGIN))
              .setFop(fop)
              .setClient(client)
              .setGfid(gfid(GFID, json.get(GFID)))
              .setEventTimeMs(ts)
              .setParent(optionalGfid(PARENT))
              .setNewParent(optionalGfid(NEW_PARENT))
              .setNlink(optionalInt(NLINK))
              .setOverwritten(optionalGfid(OVERWRITTEN))
              .setOverwrittenNlink(optionalInt(OVERWRITTEN_NLINK))
              .setEntries(array(ENTRIES, "a non-empty gfid string", text -> resolve(ENTRIES, text)))
              .setXattrs(
                  array(XATTRS, "a non-empty xattr name string", name -> new Xattr(name, null)))
              .setModeChanged(optionalBoolean(MODE_CHANGED))
              .setTxId(optionalText(TX_ID).orElse(null))
              .setFopId(TraceFormat.FOP_ID_PREFIX + number)
              .build();
      return new TraceEvent.FopEvent(number, record);
    }

    /**
     * Where the line stops being JSON, in the user's terms: the parser's own message names its token classes and
     * character codes, which say nothing to someone fixing a trace by hand.
     */
    private String notJson(JsonProcessingException e) {
      String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      String message = String.valueOf(e.getOriginalMessage());
      if (e instanceof JsonEOFException) {
        return "not valid JSON" + at + " (the line ends inside the object)";
      }
      if (message.startsWith("Duplicate field ")) {
        return "not valid JSON"
            + at
            + " ("
            + message.substring(0, 1).toLowerCase(Locale.ROOT)
            + message.substring(1)
            + ")";
      }
      return "not valid JSON" + at;
    }

    /** The 1-based column where text follows the JSON value, or 0 when only whitespace does. */
    private long columnOfMore(JsonParser parser) {
      long offset = parser.currentLocation().getCharOffset();
      for (int i = (int) Math.max(offset, 0); i < text.length(); i++) {
        if (!Character.isWhitespace(text.charAt(i))) {
          return i + 1;
        }
      }
      return 0;
    }

    private TraceEvent registration(long ts, String client) {
      checkKnownFields(TraceFormat.REGISTRATION_FIELDS, TraceFormat.REGISTER_XATTRS);
      List<String> patterns = array(XATTRS, "a non-empty pattern string", Function.identity());
      return new TraceEvent.XattrRegistration(
          number,
          XattrInterest.newBuilder()
              .setClient(client)
              .setPatterns(patterns)
              .setUpdatedAtMs(ts)
              .build());
    }

    private Fop fop(String name) {
      try {
        Fop fop = Fop.valueOf(name.toUpperCase(Locale.ROOT));
        if (fop != Fop.UNKNOWN) {
          return fop;
        }
      } catch (IllegalArgumentException unknown) {
        // reported below
      }
      throw error(
          "unknown fop '"
              + name
              + "' in field '"
              + FOP
              + "' (a fop name listed in docs/trace-format.md, or "
              + TraceFormat.REGISTER_XATTRS
              + ")");
    }

    private void checkKnownFields(Collection<String> known, String fop) {
      for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!known.contains(name)) {
          throw error(
              TraceFormat.FOP_FIELDS.contains(name)
                  ? "field '" + name + "' does not apply to " + fop
                  : "unknown field '"
                      + name
                      + "' (known: "
                      + String.join(", ", TraceFormat.FOP_FIELDS)
                      + ")");
        }
      }
    }

    private boolean absent(String field) {
      JsonNode node = json.get(field);
      return node == null || node.isNull();
    }

    private long requiredLong(String field) {
      if (absent(field)) {
        throw error("missing required field '" + field + "'");
      }
      JsonNode node = json.get(field);
      if (!node.isIntegralNumber() || !node.canConvertToLong()) {
        throw error("field '" + field + "' must be an integer (epoch ms), was " + shown(node));
      }
      return node.longValue();
    }

    private String requiredText(String field) {
      if (absent(field)) {
        throw error("missing required field '" + field + "'");
      }
      String text = text(field, json.get(field));
      if (text.isEmpty()) {
        throw error("field '" + field + "' must not be empty");
      }
      return text;
    }

    private Optional<String> optionalText(String field) {
      return absent(field) ? Optional.empty() : Optional.of(text(field, json.get(field)));
    }

    private String text(String field, JsonNode node) {
      if (!node.isTextual()) {
        throw error("field '" + field + "' must be a string, was " + shown(node));
      }
      return node.textValue();
    }

    private Integer optionalInt(String field) {
      if (absent(field)) {
        return null;
      }
      JsonNode node = json.get(field);
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw error("field '" + field + "' must be an integer, was " + shown(node));
      }
      return node.intValue();
    }

    private boolean optionalBoolean(String field) {
      if (absent(field)) {
        return false;
      }
      JsonNode node = json.get(field);
      if (!node.isBoolean()) {
        throw error("field '" + field + "' must be true or false, was " + shown(node));
      }
      return node.booleanValue();
    }

    private Gfid optionalGfid(String field) {
      return absent(field) ? null : gfid(field, json.get(field));
    }

    private Gfid gfid(String field, JsonNode node) {
      String text = text(field, node);
      if (text.isEmpty()) {
        throw error("field '" + field + "' must not be empty");
      }
      return resolve(field, text);
    }

    private Gfid resolve(String field, String text) {
      try {
        return aliases.resolve(text);
      } catch (IllegalArgumentException e) {
        throw error("field '" + field + "': " + e.getMessage());
      }
    }

    /** The array's strings, each non-empty, converted by {@code item}. */
    private <T> List<T> array(String field, String itemKind, Function<String, T> item) {
      List<T> items = new ArrayList<>();
      if (absent(field)) {
        return items;
      }
      JsonNode node = json.get(field);
      if (!node.isArray()) {
        throw error("field '" + field + "' must be an array, was " + shown(node));
      }
      for (int i = 0; i < node.size(); i++) {
        JsonNode element = node.get(i);
        if (!element.isTextual() || element.textValue().isEmpty()) {
          throw error(
              "field '" + field + "[" + i + "]' must be " + itemKind + ", was " + shown(element));
        }
        items.add(item.apply(element.textValue()));
      }
      return items;
    }

    private String shown(JsonNode node) {
      String shown = node.toString();
      return shown.length() <= MAX_SHOWN ? shown : shown.substring(0, MAX_SHOWN) + "...";
    }

    private TraceFormatException error(String reason) {
      return new TraceFormatException(number, reason);
    }
  }
}
