package io.upcall.schemas.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** A generated record class with the schema it writes and every schema version it reads. */
record RecordType<T extends SpecificRecord>(
    Class<T> type, SpecificData model, Schema current, List<SchemaVersion> readable) {
  private static final Map<Class<?>, RecordType<?>> PUBLISHED = new ConcurrentHashMap<>();

  RecordType {
    readable = List.copyOf(readable);
  }

  /** The type with its published history; the current schema is readable even before it is published. */
  @SuppressWarnings("unchecked") // the cache maps each class to its own RecordType
  static <T extends SpecificRecord> RecordType<T> published(Class<T> type) {
    return (RecordType<T>)
        PUBLISHED.computeIfAbsent(
            type, t -> withHistory(type, SchemaHistory.published().versions(type.getSimpleName())));
  }

  static <T extends SpecificRecord> RecordType<T> withHistory(
      Class<T> type, List<SchemaVersion> history) {
    SpecificData model = SpecificData.getForClass(type);
    Schema current = model.getSchema(type);
    long currentFingerprint = SchemaNormalization.parsingFingerprint64(current);
    List<SchemaVersion> readable = new ArrayList<>(history);
    if (readable.stream().noneMatch(v -> v.fingerprint() == currentFingerprint)) {
      int next = readable.isEmpty() ? 1 : readable.get(readable.size() - 1).number() + 1;
      readable.add(new SchemaVersion(current.getName(), next, current, currentFingerprint));
    }
    return new RecordType<>(type, model, current, readable);
  }

  String name() {
    return current.getName();
  }

  /** E.g. "FopRecord v1..v3", or "BrickHeartbeat v1" when there is one version. */
  String describe() {
    int first = readable.get(0).number();
    int last = readable.get(readable.size() - 1).number();
    return first == last ? name() + " v" + first : name() + " v" + first + "..v" + last;
  }
}
