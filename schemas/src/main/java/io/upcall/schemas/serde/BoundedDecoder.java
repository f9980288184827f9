package io.upcall.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over one record body that refuses lengths and item counts larger than the body: Avro
 * allocates a string or an array for the length a record claims before reading it, so a corrupt length would
 * otherwise cost gigabytes (an OutOfMemoryError) instead of a clear error.
 */
final class BoundedDecoder extends Decoder {
  private final BinaryDecoder in;
  private final int bodyLength;

  BoundedDecoder(BinaryDecoder in, int bodyLength) {
    this.in = in;
    this.bodyLength = bodyLength;
  }

  private int length(long claimed, String what) throws IOException {
    if (claimed < 0 || claimed > bodyLength) {
      throw new EOFException(what + " of " + claimed + " in a " + bodyLength + "-byte body");
    }
    return (int) claimed;
  }

  private long count(long claimed, String what) throws IOException {
    // Every item of our schemas takes at least one byte, so more items than bytes is corruption.
    if (claimed < 0 || claimed > bodyLength) {
      throw new EOFException(what + " of " + claimed + " items in a " + bodyLength + "-byte body");
    }
    return claimed;
  }

  @Override
  public void readNull() throws IOException {
    in.readNull();
  }

  @Override
  public boolean readBoolean() throws IOException {
    return in.readBoolean();
  }

  @Override
  public int readInt() throws IOException {
    return in.readInt();
  }

  @Override
  public long readLong() throws IOException {
    return in.readLong();
  }

  @Override
  public float readFloat() throws IOException {
    return in.readFloat();
  }

  @Override
  public double readDouble() throws IOException {
    return in.readDouble();
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = length(in.readLong(), "string length");
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(length);
    in.readFixed(result.getBytes(), 0, length);
    return result;
  }

  @Override
  public String readString() throws IOException {
    byte[] bytes = new byte[length(in.readLong(), "string length")];
    in.readFixed(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public void skipString() throws IOException {
    in.skipFixed(length(in.readLong(), "string length"));
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int length = length(in.readLong(), "bytes length");
    ByteBuffer result =
        old != null && old.capacity() >= length ? old.clear() : ByteBuffer.allocate(length);
    in.readFixed(result.array(), result.arrayOffset(), length);
    result.limit(length);
    return result;
  }

  @Override
  public void skipBytes() throws IOException {
    in.skipFixed(length(in.readLong(), "bytes length"));
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    in.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) throws IOException {
    in.skipFixed(length);
  }

  @Override
  public int readEnum() throws IOException {
    return in.readEnum();
  }

  @Override
  public long readArrayStart() throws IOException {
    return count(in.readArrayStart(), "array block");
  }

  @Override
  public long arrayNext() throws IOException {
    return count(in.arrayNext(), "array block");
  }

  @Override
  public long skipArray() throws IOException {
    return count(in.skipArray(), "array block");
  }

  @Override
  public long readMapStart() throws IOException {
    return count(in.readMapStart(), "map block");
  }

  @Override
  public long mapNext() throws IOException {
    return count(in.mapNext(), "map block");
  }

  @Override
  public long skipMap() throws IOException {
    return count(in.skipMap(), "map block");
  }

  @Override
  public int readIndex() throws IOException {
    return in.readIndex();
  }

  boolean isEnd() throws IOException {
    return in.isEnd();
  }
}
