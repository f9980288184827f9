package io.upcall.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro binary in Avro's single-object encoding: marker {@code C3 01}, the writer schema's CRC-64-AVRO
 * fingerprint (8 bytes, little-endian), then the body. The fingerprint picks the record type and the writer
 * version, so one topic can carry several types and a reader resolves every published older version into
 * the current generated class. Null stays null both ways (tombstones).
 */
final class SingleObjectAvroSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {
  static final byte MARKER_0 = (byte) 0xC3;
  static final byte MARKER_1 = (byte) 0x01;
  static final int HEADER_LENGTH = 10;

  private final Map<Class<?>, Writer<?>> writers = new HashMap<>();
  private final Map<Long, Reader<?>> readers = new HashMap<>();
  private final String accepted;
  private final String readable;

  SingleObjectAvroSerde(List<RecordType<? extends T>> types) {
    if (types.isEmpty()) {
      throw new IllegalArgumentException("a serde needs at least one record type");
    }
    for (RecordType<? extends T> type : types) {
      addType(type);
    }
    accepted = types.stream().map(RecordType::name).collect(Collectors.joining(", "));
    readable = types.stream().map(RecordType::describe).collect(Collectors.joining(", "));
  }

  /** Serde of one generated record class, reading every published version of it. */
  static <T extends SpecificRecord> SingleObjectAvroSerde<T> of(Class<T> type) {
    return new SingleObjectAvroSerde<>(List.of(RecordType.published(type)));
  }

  /** Serde of a topic that carries several record classes, told apart by fingerprint. */
  @SafeVarargs
  static SingleObjectAvroSerde<SpecificRecord> ofAny(Class<? extends SpecificRecord>... types) {
    List<RecordType<? extends SpecificRecord>> recordTypes = new ArrayList<>();
    for (Class<? extends SpecificRecord> type : types) {
      recordTypes.add(RecordType.published(type));
    }
    return new SingleObjectAvroSerde<>(recordTypes);
  }

  private <R extends T> void addType(RecordType<R> type) {
    writers.put(type.type(), new Writer<>(type));
    for (SchemaVersion version : type.readable()) {
      Reader<?> clash = readers.putIfAbsent(version.fingerprint(), new Reader<>(type, version));
      if (clash != null) {
        throw new IllegalArgumentException(
            version.label() + " has the same fingerprint as " + clash.version.label());
      }
    }
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    Writer<?> writer = writers.get(data.getClass());
    if (writer == null) {
      throw new SerializationException(
          topicLabel(topic)
              + ": cannot serialize "
              + data.getClass().getName()
              + ", this serde writes "
              + accepted);
    }
    return writer.write(topic, data);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length < HEADER_LENGTH) {
      throw new SerializationException(
          topicLabel(topic)
              + ": truncated record, "
              + data.length
              + " bytes, shorter than the 10-byte single-object header (marker + fingerprint)");
    }
    if (data[0] != MARKER_0 || data[1] != MARKER_1) {
      throw new SerializationException(
          String.format(
              "%s: not Avro single-object encoding, marker 0x%02x%02x instead of 0xc301",
              topicLabel(topic), data[0], data[1]));
    }
    long fingerprint = fingerprintAt(data);
    Reader<?> reader = readers.get(fingerprint);
    if (reader == null) {
      throw new SerializationException(
          String.format(
              "%s: unknown schema fingerprint 0x%016x, not one of %s",
              topicLabel(topic), fingerprint, readable));
    }
    @SuppressWarnings("unchecked") // readers only hold subtypes of T, registered in addType
    T record = (T) reader.read(topic, data);
    return record;
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    // Nothing to configure: the schemas travel with the classes.
  }

  @Override
  public void close() {
    // Holds no resources.
  }

  @Override
  public String toString() {
    return "SingleObjectAvroSerde[" + readable + "]";
  }

  static long fingerprintAt(byte[] data) {
    long fingerprint = 0;
    for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (data[i] & 0xFF);
    }
    return fingerprint;
  }

  static byte[] header(long fingerprint) {
    byte[] header = new byte[HEADER_LENGTH];
    header[0] = MARKER_0;
    header[1] = MARKER_1;
    for (int i = 2; i < HEADER_LENGTH; i++) {
      header[i] = (byte) (fingerprint >>> (8 * (i - 2)));
    }
    return header;
  }

  static String topicLabel(String topic) {
    return topic == null ? "(no topic)" : topic;
  }

  private static final class Writer<R extends SpecificRecord> {
    private final RecordType<R> type;
    private final byte[] header;
    private final SpecificDatumWriter<R> datumWriter;

    Writer(RecordType<R> type) {
      this.type = type;
      this.header = header(SchemaNormalization.parsingFingerprint64(type.current()));
      this.datumWriter = new SpecificDatumWriter<>(type.current(), type.model());
    }

    byte[] write(String topic, Object data) {
      Buffer buffer = BUFFER.get();
      buffer.out.reset();
      buffer.out.writeBytes(header);
      buffer.encoder = EncoderFactory.get().binaryEncoder(buffer.out, buffer.encoder);
      try {
        datumWriter.write(type.type().cast(data), buffer.encoder);
        buffer.encoder.flush();
      } catch (IOException | RuntimeException e) {
        BUFFER.remove(); // the encoder may hold half a record
        // A required field left null surfaces here as a NullPointerException naming the field.
        throw new SerializationException(
            topicLabel(topic) + ": cannot serialize " + type.name() + ": " + e.getMessage(), e);
      }
      byte[] bytes = buffer.out.toByteArray();
      if (bytes.length > Buffer.KEEP_AT_MOST) {
        BUFFER.remove(); // do not keep one outsized record's buffer for the thread's lifetime
      }
      return bytes;
    }
  }

  /** A per-thread output buffer and encoder, reused across records: serializers run on many threads at once. */
  private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new);

  private static final class Buffer {
    static final int KEEP_AT_MOST = 64 * 1024;
    final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    BinaryEncoder encoder;
  }

  private static final class Reader<R extends SpecificRecord> {
    private final SchemaVersion version;
    private final SpecificDatumReader<R> datumReader;

    Reader(RecordType<R> type, SchemaVersion version) {
      this.version = version;
      this.datumReader = new SpecificDatumReader<>(version.schema(), type.current(), type.model());
    }

    R read(String topic, byte[] data) {
      int bodyLength = data.length - HEADER_LENGTH;
      BinaryDecoder binary =
          DecoderFactory.get().binaryDecoder(data, HEADER_LENGTH, bodyLength, null);
      BoundedDecoder decoder = new BoundedDecoder(binary, bodyLength);
      R record;
      boolean complete;
      try {
        record = datumReader.read(null, decoder);
        complete = decoder.isEnd();
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            topicLabel(topic)
                + ": cannot decode "
                + version.label()
                + " body ("
                + bodyLength
                + " bytes), truncated or corrupt: "
                + e,
            e);
      }
      if (!complete) {
        throw new SerializationException(
            topicLabel(topic)
                + ": trailing bytes after a "
                + version.label()
                + " body ("
                + bodyLength
                + " bytes), corrupt record");
      }
      return record;
    }
  }
}
