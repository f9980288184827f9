package io.upcall.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The published versions of each record schema, kept as self-contained {@code .avsc} files under
 * {@code io/upcall/schemas/history/v<N>/<RecordName>.avsc}, numbered from 1 without gaps per record.
 */
final class SchemaHistory {
  static final String ROOT = "io/upcall/schemas/history";

  private final ClassLoader loader;
  private final String root;

  SchemaHistory(ClassLoader loader, String root) {
    this.loader = loader;
    this.root = root;
  }

  static SchemaHistory published() {
    return new SchemaHistory(SchemaHistory.class.getClassLoader(), ROOT);
  }

  /** Every published version of the record named {@code recordName}, oldest first; empty when none is. */
  List<SchemaVersion> versions(String recordName) {
    List<SchemaVersion> versions = new ArrayList<>();
    for (int number = 1; ; number++) {
      String resource = root + "/v" + number + "/" + recordName + ".avsc";
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          return versions;
        }
        versions.add(new SchemaVersion(recordName, number, new Schema.Parser().parse(in)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema history " + resource, e);
      }
    }
  }
}
