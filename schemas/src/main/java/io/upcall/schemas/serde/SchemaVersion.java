package io.upcall.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/** One published version of a record schema, as a writer may have used it. */
record SchemaVersion(String recordName, int number, Schema schema, long fingerprint) {

  SchemaVersion(String recordName, int number, Schema schema) {
    this(recordName, number, schema, SchemaNormalization.parsingFingerprint64(schema));
  }

  String label() {
    return recordName + " v" + number;
  }
}
