package io.upcall.schemas.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;

/** The field names and defaults of the JSON-lines trace format (docs/trace-format.md), shared by reader and writers. */
final class TraceFormat {
  static final String TS = "ts";
  static final String CLIENT = "client";
  static final String FOP = "fop";
  static final String GFID = "gfid";
  static final String PARENT = "parent";
  static final String NEW_PARENT = "newParent";
  static final String NLINK = "nlink";
  static final String OVERWRITTEN = "overwritten";
  static final String OVERWRITTEN_NLINK = "overwrittenNlink";
  static final String ENTRIES = "entries";
  static final String XATTRS = "xattrs";
  static final String MODE_CHANGED = "modeChanged";
  static final String TX_ID = "txId";
  static final String BRICK = "brick";
  static final String VOLUME = "volume";

  static final String REGISTER_XATTRS = "REGISTER_XATTRS";

  /** Volume and brick of trace records that do not name them. */
  static final String DEFAULT_ORIGIN = "trace";

  static final String FOP_ID_PREFIX = "trace:";

  /** In the order the writer writes them. */
  static final List<String> FOP_FIELDS =
      List.of(
          TS,
          CLIENT,
          FOP,
          GFID,
          PARENT,
          NEW_PARENT,
          NLINK,
          OVERWRITTEN,
          OVERWRITTEN_NLINK,
          ENTRIES,
          XATTRS,
          MODE_CHANGED,
          TX_ID,
          VOLUME,
          BRICK);

  static final Set<String> REGISTRATION_FIELDS = Set.of(TS, CLIENT, FOP, XATTRS);

  static final ObjectMapper JSON =
      new ObjectMapper(JsonFactory.builder().build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private TraceFormat() {}
}
