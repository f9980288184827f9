package io.upcall.schemas;

import io.upcall.avro.Gfid;
import java.nio.ByteBuffer;
import java.util.UUID;

/** Conversions between the Avro {@link Gfid} and its canonical UUID string, the form keys and people use. */
public final class Gfids {
  private Gfids() {}

  /** The gfid of {@code uuid}. */
  public static Gfid of(UUID uuid) {
    ByteBuffer buffer = ByteBuffer.allocate(16);
    buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return new Gfid(buffer.array());
  }

  /**
   * The gfid a canonical UUID string names.
   *
   * @throws IllegalArgumentException naming the text when it is not a canonical UUID
   */
  public static Gfid parse(String text) {
    if (text == null || text.length() != 36) {
      throw new IllegalArgumentException("not a gfid (canonical UUID expected): '" + text + "'");
    }
    try {
      return of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a gfid (canonical UUID expected): '" + text + "'", e);
    }
  }

  /** The UUID of {@code gfid}. */
  public static UUID toUuid(Gfid gfid) {
    ByteBuffer buffer = ByteBuffer.wrap(gfid.bytes());
    return new UUID(buffer.getLong(), buffer.getLong());
  }

  /** The canonical string of {@code gfid}, e.g. {@code 00000000-0000-0000-0000-000000000001}. */
  public static String format(Gfid gfid) {
    return toUuid(gfid).toString();
  }
}
