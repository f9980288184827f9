package io.upcall.streams;

import io.upcall.avro.Invalidation;
import io.upcall.schemas.serde.UpcallSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The fan-outs of a task still under way: a change told to an inode's tracked clients in chunks, with the last
 * client told, so the rest is told by later punctuations (and after a restart, since the store has a changelog).
 * The progress marks hold back to before the earliest pending change, so no mark proves a fop whose
 * invalidations are not all written.
 */
final class PendingFanOuts {
  /** One change still being told: the clients after {@code toldUpTo} (a tracked-pair key) have not heard yet. */
  record Pending(Invalidation change, String originator, int timeoutSeconds, Bytes toldUpTo) {}

  private static final Serializer<Invalidation> ENCODER = UpcallSerdes.invalidation().serializer();
  private static final Deserializer<Invalidation> DECODER =
      UpcallSerdes.invalidation().deserializer();
  private static final int NO_ORIGINATOR = -1;

  private final KeyValueStore<Bytes, byte[]> store;

  PendingFanOuts(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  Pending of(byte[] gfid) {
    byte[] value = store.get(InodeKeys.of(gfid));
    return value == null ? null : decode(value);
  }

  void put(byte[] gfid, Pending pending) {
    store.put(InodeKeys.of(gfid), encode(pending));
  }

  void done(byte[] gfid) {
    store.delete(InodeKeys.of(gfid));
  }

  /** The gfids with a fan-out under way. */
  List<byte[]> gfids() {
    List<byte[]> gfids = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
      all.forEachRemaining(entry -> gfids.add(entry.key.get()));
    }
    return gfids;
  }

  /** The event time of the earliest change still being told, or Long.MAX_VALUE when none is. */
  static long earliestEventTime(KeyValueStore<Bytes, byte[]> store) {
    long earliest = Long.MAX_VALUE;
    try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> entry = all.next();
        earliest = Math.min(earliest, ByteBuffer.wrap(entry.value).getLong());
      }
    }
    return earliest;
  }

  /** event time (8) ‖ timeout (4) ‖ originator (4 + UTF-8, -1 for none) ‖ told-up-to key (4 + bytes) ‖ change. */
  private static byte[] encode(Pending pending) {
    byte[] originator =
        pending.originator() == null ? null : pending.originator().getBytes(StandardCharsets.UTF_8);
    byte[] told = pending.toldUpTo().get();
    byte[] change = ENCODER.serialize("", pending.change());
    ByteBuffer buffer =
        ByteBuffer.allocate(
            8
                + 4
                + 4
                + (originator == null ? 0 : originator.length)
                + 4
                + told.length
                + change.length);
    buffer.putLong(pending.change().getEventTimeMs()).putInt(pending.timeoutSeconds());
    if (originator == null) {
      buffer.putInt(NO_ORIGINATOR);
    } else {
      buffer.putInt(originator.length).put(originator);
    }
    buffer.putInt(told.length).put(told).put(change);
    return buffer.array();
  }

  private static Pending decode(byte[] value) {
    ByteBuffer buffer = ByteBuffer.wrap(value);
    buffer.getLong();
    int timeout = buffer.getInt();
    int originatorLength = buffer.getInt();
    String originator = null;
    if (originatorLength != NO_ORIGINATOR) {
      byte[] bytes = new byte[originatorLength];
      buffer.get(bytes);
      originator = new String(bytes, StandardCharsets.UTF_8);
    }
    byte[] told = new byte[buffer.getInt()];
    buffer.get(told);
    byte[] change = new byte[buffer.remaining()];
    buffer.get(change);
    return new Pending(DECODER.deserialize("", change), originator, timeout, Bytes.wrap(told));
  }
}
