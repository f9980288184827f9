package io.upcall.streams;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * The key layout of per-inode store entries: the 16 gfid bytes, then a UTF-8 suffix (a client uid or a
 * transaction id). Fixed-length gfids make every entry of one inode share a prefix, so one prefix scan finds them.
 */
public final class InodeKeys {
  /** Bytes of a gfid, the fixed-length prefix of every key. */
  public static final int GFID_LENGTH = 16;

  private InodeKeys() {}

  /** The key of an inode's own entry, also the prefix of all its (gfid, suffix) entries. */
  public static Bytes of(byte[] gfid) {
    return Bytes.wrap(gfid);
  }

  /** The key of the entry (gfid, suffix). */
  public static Bytes of(byte[] gfid, String suffix) {
    byte[] text = suffix.getBytes(StandardCharsets.UTF_8);
    byte[] key = new byte[GFID_LENGTH + text.length];
    System.arraycopy(gfid, 0, key, 0, GFID_LENGTH);
    System.arraycopy(text, 0, key, GFID_LENGTH, text.length);
    return Bytes.wrap(key);
  }

  /** The suffix (client uid or transaction id) of a (gfid, suffix) key. */
  public static String suffixOf(Bytes key) {
    byte[] bytes = key.get();
    return new String(bytes, GFID_LENGTH, bytes.length - GFID_LENGTH, StandardCharsets.UTF_8);
  }
}
