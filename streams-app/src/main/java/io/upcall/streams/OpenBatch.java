package io.upcall.streams;

import io.upcall.avro.BatchedChange;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.schemas.UpcallFlag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The batch of one invalidation partition still being filled: changes in the order they were told, each with its
 * recipients, and a journal of every (recipient, change) added, from which the batch is rebuilt after a restart.
 * A recipient's later change of an inode folds into its earlier one when {@link InvalidationFold} allows and no
 * change of the batch touched that inode for that recipient in between (as a parent, say).
 */
final class OpenBatch {
  /** A recipient's last change of an inode in this batch, or this marker when that inode was touched as a parent. */
  private static final Change BARRIER = new Change(null, null);

  private final int partition;
  private final int partitionCount;
  private final List<Change> changes = new ArrayList<>();
  private final Map<RecipientInode, Change> lastTouch = new HashMap<>();
  private final Journal journal = new Journal();
  private long earliestEventTimeMs = Long.MAX_VALUE;
  private long latestTimestamp = Long.MIN_VALUE;

  /**
   * The last fold decided, by the identity of its two changes: a change told to many recipients that each had the
   * same earlier change in this batch folds the same way for all of them, and building (deep-copying) and comparing
   * the folded change per recipient cost the stream thread more than the rest of the fold.
   */
  private Invalidation foldedEarlier;

  private Invalidation foldedLater;
  private Invalidation lastFold;

  private int bodyBytes;
  private int recipientBytes;
  private int recipients;

  OpenBatch(int partition, int partitionCount) {
    this.partition = partition;
    this.partitionCount = partitionCount;
  }

  /**
   * Adds {@code body} (client uid empty) for {@code client}; {@code encoded} is its encoding, shared by the callers
   * that add one body for many clients.
   */
  void add(String client, Invalidation body, byte[] encoded, long timestamp) {
    journal.append(client, body, encoded);
    earliestEventTimeMs = Math.min(earliestEventTimeMs, body.getEventTimeMs());
    latestTimestamp = Math.max(latestTimestamp, timestamp);
    recipients++;
    recipientBytes += client.length() + 2;
    RecipientInode key = new RecipientInode(client, body.getGfid());
    Change earlier = lastTouch.get(key);
    Invalidation told = body;
    byte[] encoding = encoded;
    if (earlier != null && earlier != BARRIER) {
      Invalidation folded = fold(earlier.body, body);
      if (folded != null) {
        earlier.recipients.remove(client);
        if (folded != body) {
          told = folded;
          encoding = folded == earlier.body ? earlier.encoded : null;
        }
      }
    }
    Change change = into(told, encoding);
    change.recipients.add(client);
    lastTouch.put(key, change);
    if (UpcallFlag.PARENT_TIMES.in(told.getFlags())) {
      barrier(client, told.getParent());
      if (UpcallFlag.RENAME.in(told.getFlags())) {
        barrier(client, told.getOldParent());
      }
    }
  }

  /** {@link InvalidationFold#fold}, the same object for the same two changes as the call before. */
  private Invalidation fold(Invalidation earlier, Invalidation later) {
    if (earlier != foldedEarlier || later != foldedLater) {
      foldedEarlier = earlier;
      foldedLater = later;
      lastFold = InvalidationFold.fold(earlier, later);
    }
    return lastFold;
  }

  /** The encoded size so far, about: every distinct change once and every recipient's uid. */
  int bytes() {
    return bodyBytes + recipientBytes;
  }

  boolean isEmpty() {
    return recipients == 0;
  }

  long earliestEventTimeMs() {
    return earliestEventTimeMs;
  }

  long latestTimestamp() {
    return latestTimestamp;
  }

  /** The journal as stored: earliest event time (8 bytes), then each (recipient, change) added. */
  byte[] journal() {
    return journal.bytes(earliestEventTimeMs);
  }

  /** The batch record; changes folded away entirely are left out, and a folded change is encoded here. */
  InvalidationBatch toRecord(Function<Invalidation, byte[]> encoder) {
    List<BatchedChange> written = new ArrayList<>(changes.size());
    for (Change change : changes) {
      if (change.recipients.isEmpty()) {
        continue;
      }
      byte[] encoded = change.encoded != null ? change.encoded : encoder.apply(change.body);
      written.add(
          BatchedChange.newBuilder()
              .setRecipients(new ArrayList<>(change.recipients))
              .setInvalidation(ByteBuffer.wrap(encoded))
              .build());
    }
    return InvalidationBatch.newBuilder()
        .setPartition(partition)
        .setPartitionCount(partitionCount)
        .setChanges(written)
        .build();
  }

  /** Rebuilds, in the order they were added, the (recipient, encoded change) pairs of a stored journal. */
  static void replay(byte[] stored, JournalReader reader) {
    ByteBuffer in = ByteBuffer.wrap(stored);
    in.getLong();
    byte[] body = null;
    while (in.hasRemaining()) {
      byte[] client = new byte[in.getInt()];
      in.get(client);
      int length = in.getInt();
      if (length >= 0) {
        body = new byte[length];
        in.get(body);
      }
      reader.entry(new String(client, StandardCharsets.UTF_8), body);
    }
  }

  /** The event time of the earliest change in a stored journal. */
  static long earliestEventTimeMs(byte[] stored) {
    return ByteBuffer.wrap(stored).getLong();
  }

  /** Receives the entries of a stored journal. */
  interface JournalReader {
    void entry(String client, byte[] encodedChange);
  }

  /** The change last added, when {@code body} is the same change; else a new one at the end. */
  private Change into(Invalidation body, byte[] encoded) {
    Change last = changes.isEmpty() ? null : changes.get(changes.size() - 1);
    if (last != null && (last.body == body || SharedChangeSerializer.sameChange(last.body, body))) {
      return last;
    }
    Change change = new Change(body, encoded);
    changes.add(change);
    bodyBytes += encoded != null ? encoded.length : 128;
    return change;
  }

  private void barrier(String client, Gfid inode) {
    if (inode != null) {
      lastTouch.put(new RecipientInode(client, inode), BARRIER);
    }
  }

  /** One change and the recipients that get it. */
  private static final class Change {
    final Invalidation body;
    final byte[] encoded;

    /** A set: a fan-out adds thousands of recipients to one change, and a fold removes one from an earlier. */
    final Set<String> recipients = new LinkedHashSet<>(4);

    Change(Invalidation body, byte[] encoded) {
      this.body = body;
      this.encoded = encoded;
    }
  }

  private record RecipientInode(String client, Gfid gfid) {}

  /** client length (4) ‖ client ‖ change length (4; -1: the same change as the entry before) ‖ change. */
  private static final class Journal {
    private byte[] buffer = new byte[256];
    private int length;
    private Invalidation lastBody;

    void append(String client, Invalidation body, byte[] encoded) {
      byte[] uid = client.getBytes(StandardCharsets.UTF_8);
      boolean same = body == lastBody;
      ensure(8 + uid.length + (same ? 0 : encoded.length));
      ByteBuffer out = ByteBuffer.wrap(buffer, length, buffer.length - length);
      out.putInt(uid.length).put(uid);
      if (same) {
        out.putInt(-1);
      } else {
        out.putInt(encoded.length).put(encoded);
      }
      length = out.position();
      lastBody = body;
    }

    byte[] bytes(long earliestEventTimeMs) {
      byte[] stored = new byte[8 + length];
      ByteBuffer.wrap(stored).putLong(earliestEventTimeMs).put(buffer, 0, length);
      return stored;
    }

    private void ensure(int more) {
      if (length + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
      }
    }
  }
}
