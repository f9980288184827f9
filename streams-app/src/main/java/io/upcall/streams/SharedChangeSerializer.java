package io.upcall.streams;

import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.InvalidationCopies;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes the invalidations of one change to its many recipients with one Avro encoding. Avro writes a record's
 * fields in order and the client uid comes first, so the single-object encoding of an invalidation is the header,
 * the uid, then a body every recipient of the change shares: the body is encoded once (with an empty uid, whose
 * encoding is one zero byte) and each recipient's record is header + its uid + that body, byte for byte what the
 * configured serializer would write. A change that notifies a thousand clients costs one encoding, not a thousand.
 */
public final class SharedChangeSerializer implements Serializer<Invalidation> {
  /** The single-object header: marker (2 bytes) and the schema fingerprint (8). */
  private static final int HEADER = 10;

  private final Serializer<Invalidation> encoder;

  /** The change last encoded on each stream thread (one serializer serves every task of every thread). */
  private final ThreadLocal<Encoded> last = new ThreadLocal<>();

  private SharedChangeSerializer(Serializer<Invalidation> encoder) {
    this.encoder = encoder;
  }

  /**
   * The serializer for invalidations in {@code serde}'s encoding: a shared-body one when {@code serde} writes the
   * built-in single-object encoding (checked on a sample), else {@code serde}'s own.
   */
  public static Serializer<Invalidation> of(Serde<Invalidation> serde) {
    Serializer<Invalidation> encoder = serde.serializer();
    Invalidation sample =
        InvalidationCopies.of(
                InvalidationCopies.forget(
                    Gfids.of(new UUID(1, 2)), "vol", "brick", 60, 1L, "cause"))
            .setClient("c")
            .setFlags(1)
            .build();
    try {
      byte[] named = encoder.serialize("", sample);
      byte[] anonymous = encoder.serialize("", withClient(sample, ""));
      boolean layout =
          named != null
              && anonymous != null
              && anonymous.length > HEADER
              && anonymous[HEADER] == 0
              && named.length == anonymous.length + 1
              && Arrays.equals(named, 0, HEADER, anonymous, 0, HEADER)
              && named[HEADER] == 2
              && named[HEADER + 1] == 'c'
              && Arrays.equals(
                  named, HEADER + 2, named.length, anonymous, HEADER + 1, anonymous.length);
      return layout ? new SharedChangeSerializer(encoder) : encoder;
    } catch (RuntimeException e) {
      return encoder;
    }
  }

  @Override
  public byte[] serialize(String topic, Invalidation invalidation) {
    if (invalidation == null) {
      return null;
    }
    Encoded encoded = last.get();
    if (encoded == null || !sameChange(encoded.change, invalidation)) {
      byte[] anonymous = encoder.serialize(topic, withClient(invalidation, ""));
      if (anonymous == null || anonymous.length <= HEADER || anonymous[HEADER] != 0) {
        return encoder.serialize(topic, invalidation); // not the layout this relies on: no sharing
      }
      encoded =
          new Encoded(
              invalidation,
              Arrays.copyOfRange(anonymous, 0, HEADER),
              Arrays.copyOfRange(anonymous, HEADER + 1, anonymous.length));
      last.set(encoded);
    }
    byte[] client = invalidation.getClient().getBytes(StandardCharsets.UTF_8);
    long length = (long) client.length << 1; // Avro's zig-zag of a non-negative length
    int lengthBytes = varintSize(length);
    byte[] out = new byte[HEADER + lengthBytes + client.length + encoded.body.length];
    System.arraycopy(encoded.header, 0, out, 0, HEADER);
    int at = HEADER;
    while ((length & ~0x7FL) != 0) {
      out[at++] = (byte) ((length & 0x7F) | 0x80);
      length >>>= 7;
    }
    out[at++] = (byte) length;
    System.arraycopy(client, 0, out, at, client.length);
    System.arraycopy(encoded.body, 0, out, at + client.length, encoded.body.length);
    return out;
  }

  @Override
  public void close() {
    encoder.close();
  }

  /** Whether {@code a} and {@code b} differ at most in their client uid (fields compared in schema order). */
  static boolean sameChange(Invalidation a, Invalidation b) {
    return a.getFlags() == b.getFlags()
        && a.getExpireTimeSeconds() == b.getExpireTimeSeconds()
        && a.getEventTimeMs() == b.getEventTimeMs()
        && Objects.equals(a.getGfid(), b.getGfid())
        && Objects.equals(a.getVolume(), b.getVolume())
        && Objects.equals(a.getStat(), b.getStat())
        && Objects.equals(a.getParent(), b.getParent())
        && Objects.equals(a.getParentStat(), b.getParentStat())
        && Objects.equals(a.getOldParent(), b.getOldParent())
        && Objects.equals(a.getOldParentStat(), b.getOldParentStat())
        && Objects.equals(a.getXattrs(), b.getXattrs())
        && Objects.equals(a.getBrick(), b.getBrick())
        && Objects.equals(a.getCauseFopId(), b.getCauseFopId());
  }

  /** {@code i} addressed to {@code client}. */
  static Invalidation withClient(Invalidation i, String client) {
    return InvalidationCopies.of(i).setClient(client).build();
  }

  private static int varintSize(long value) {
    int size = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  /** One change's encoding: its single-object header and the body after the uid. */
  private record Encoded(Invalidation change, byte[] header, byte[] body) {}
}
