package io.upcall.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes a record as an old writer would have: converted field by field (by name) to a GenericRecord of the
 * old schema, encoded with GenericDatumWriter, behind a single-object header of the old schema's fingerprint.
 * Independent of the serde under test.
 */
final class HistoricalWriter {
  private HistoricalWriter() {}

  static byte[] write(IndexedRecord record, Schema writerSchema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xC3, 0x01});
    long fingerprint = SchemaNormalization.parsingFingerprint64(writerSchema);
    out.writeBytes(
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(writerSchema)
          .write((GenericRecord) convert(record, writerSchema), encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Object convert(Object value, Schema schema) {
    switch (schema.getType()) {
      case RECORD -> {
        IndexedRecord source = (IndexedRecord) value;
        GenericData.Record target = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
          Schema.Field sourceField = source.getSchema().getField(field.name());
          if (sourceField == null) {
            throw new IllegalArgumentException("the sample has no field " + field.name());
          }
          target.put(field.name(), convert(source.get(sourceField.pos()), field.schema()));
        }
        return target;
      }
      case UNION -> {
        if (value == null) {
          return null;
        }
        for (Schema branch : schema.getTypes()) {
          if (branch.getType() != Schema.Type.NULL) {
            return convert(value, branch);
          }
        }
        throw new IllegalArgumentException("no non-null branch in " + schema);
      }
      case ARRAY -> {
        List<Object> items = new ArrayList<>();
        for (Object item : (List<?>) value) {
          items.add(convert(item, schema.getElementType()));
        }
        return new GenericData.Array<>(schema, items);
      }
      case MAP -> {
        Map<String, Object> entries = new LinkedHashMap<>();
        ((Map<?, ?>) value)
            .forEach((k, v) -> entries.put(k.toString(), convert(v, schema.getValueType())));
        return entries;
      }
      case FIXED -> {
        return new GenericData.Fixed(schema, ((GenericFixed) value).bytes().clone());
      }
      case ENUM -> {
        return new GenericData.EnumSymbol(schema, value.toString());
      }
      case STRING -> {
        return value.toString();
      }
      default -> {
        return value;
      }
    }
  }
}
