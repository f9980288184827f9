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
  private final int partition;
  private final int partitionCount;
  private final List<Change> changes = new ArrayList<>();

  /**
   * The changes of this batch that touch each inode, in the order told: its own changes and those naming it as a
   * (old) parent. A recipient's earlier change of an inode is found by asking the few changes of that inode, newest
   * first, whether they list the recipient; a map by (recipient, inode) cost two more hash lookups and an entry per
   * recipient told, the most of adding one (profiled, {@code TopologyCpuPerFop}).
   */
  private final Map<Gfid, List<Change>> touching = new HashMap<>();

  private final Journal journal;

  /** The inode {@link #ofInode} lists the changes of: every recipient of one change asks about the same inode. */
  private Gfid inode;

  private List<Change> ofInode;
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
    this(partition, partitionCount, new byte[256]);
  }

  /** A batch whose journal starts in {@code buffer}, left by an earlier batch of the partition ({@link #release}). */
  OpenBatch(int partition, int partitionCount, byte[] buffer) {
    this.partition = partition;
    this.partitionCount = partitionCount;
    this.journal = new Journal(buffer);
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
    Change earlier = earlierOf(client, body);
    Invalidation told = body;
    byte[] encoding = encoded;
    if (earlier != null) {
      Invalidation folded = fold(earlier.body, body);
      if (folded != null) {
        earlier.recipients.remove(client);
        if (folded != body) {
          told = folded;
          encoding = folded == earlier.body ? earlier.encoded : null;
        }
      }
    }
    into(told, encoding).recipients.add(client);
  }

  /**
   * The last change of this batch told to {@code client} that touches {@code body}'s inode, or null. When it named the
   * inode as a parent it carries PARENT_TIMES, which {@link InvalidationFold} never folds: a change of a directory
   * does not fold across a change of an entry of it, for that recipient.
   */
  private Change earlierOf(String client, Invalidation body) {
    if (inode != body.getGfid()) {
      inode = body.getGfid();
      ofInode = touching.get(inode);
    }
    if (ofInode == null) {
      return null;
    }
    for (int i = ofInode.size() - 1; i >= 0; i--) {
      Change change = ofInode.get(i);
      if (change.recipients.contains(client)) {
        return change;
      }
    }
    return null;
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
    index(body.getGfid(), change);
    if (UpcallFlag.PARENT_TIMES.in(body.getFlags())) {
      index(body.getParent(), change);
      if (UpcallFlag.RENAME.in(body.getFlags())) {
        index(body.getOldParent(), change);
      }
    }
    return change;
  }

  private void index(Gfid gfid, Change change) {
    if (gfid == null) {
      return;
    }
    List<Change> of = touching.computeIfAbsent(gfid, g -> new ArrayList<>(2));
    if (of.isEmpty() || of.get(of.size() - 1) != change) {
      of.add(change);
    }
    if (gfid.equals(inode)) {
      ofInode = of;
    }
  }

  /** Hands the journal's buffer on to the partition's next batch; this batch is done with. */
  byte[] release() {
    return journal.buffer;
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

  /** client length (4) ‖ client ‖ change length (4; -1: the same change as the entry before) ‖ change. */
  private static final class Journal {
    private byte[] buffer;
    private int length;
    private Invalidation lastBody;

    Journal(byte[] buffer) {
      this.buffer = buffer;
    }

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
