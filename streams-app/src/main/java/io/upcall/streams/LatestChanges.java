package io.upcall.streams;

import static io.upcall.schemas.UpcallFlag.ATIME;
import static io.upcall.schemas.UpcallFlag.MODE;
import static io.upcall.schemas.UpcallFlag.NLINK;
import static io.upcall.schemas.UpcallFlag.OWN;
import static io.upcall.schemas.UpcallFlag.PARENT_TIMES;
import static io.upcall.schemas.UpcallFlag.PERM;
import static io.upcall.schemas.UpcallFlag.SIZE;
import static io.upcall.schemas.UpcallFlag.TIMES;
import static io.upcall.schemas.UpcallFlag.XATTR;
import static io.upcall.schemas.UpcallFlag.XATTR_RM;
import static io.upcall.schemas.UpcallFlag.mask;

import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.schemas.InvalidationCopies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The latest change of every inode of a task, kept for the order rule (docs/semantics.md, "Order"): an access
 * that arrives after a change with a later event time gets that change's invalidation.
 *
 * <p>Changes less than T apart are merged into one (flags and xattr names united, the later change's stats and
 * times), so a late access that predates several of them learns about all, not only the last; a change T or more
 * after the previous one starts afresh, since no access can be fresh for both.
 */
final class LatestChanges {
  private static final int STAT_FLAGS = mask(NLINK, MODE, OWN, SIZE, TIMES, ATIME, PERM);
  private static final int XATTR_FLAGS = mask(XATTR, XATTR_RM);

  /** Names a merged change lists at most; beyond, it names none, which tells clients to drop every xattr. */
  static final int MAX_MERGED_XATTRS = 64;

  /**
   * Inodes whose entry (or its absence) is kept decoded in front of the store, most recently used kept. Every event
   * reads its inode's entry, and decoding it from the store's cache was 7 % of a busy stream thread; the popular
   * inodes of a Zipf load fit here.
   */
  static final int DECODED_INODES = 4_096;

  /** Stands for "the store holds no entry" among the decoded ones. */
  private static final InodeMeta NONE = new InodeMeta();

  private final KeyValueStore<Bytes, InodeMeta> store;
  private final ExpirySweep<InodeMeta> sweep;

  /** Written through: the store always holds what this holds, so a restarted task only starts with it empty. */
  private final Map<Bytes, InodeMeta> decoded =
      new LinkedHashMap<>(DECODED_INODES * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Bytes, InodeMeta> eldest) {
          return size() > DECODED_INODES;
        }
      };

  LatestChanges(KeyValueStore<Bytes, InodeMeta> store, ExpirySweep<InodeMeta> sweep) {
    this.store = store;
    this.sweep = sweep;
  }

  /** The inode's latest change and its originator, or null when it had none recently. */
  InodeMeta of(byte[] gfid) {
    Bytes key = InodeKeys.of(gfid);
    InodeMeta meta = decoded.get(key);
    if (meta == null) {
      meta = store.get(key);
      decoded.put(key, meta == null ? NONE : meta);
      return meta;
    }
    return meta == NONE ? null : meta;
  }

  void put(byte[] gfid, InodeMeta meta) {
    Bytes key = InodeKeys.of(gfid);
    store.put(key, meta);
    decoded.put(key, meta);
    sweep.written(secondOf(meta));
  }

  /**
   * Deletes (a slice of) the inodes whose latest change is more than {@code horizonSeconds} before {@code
   * nowSecond}: they can never be replayed to anyone again.
   */
  void expire(long nowSecond, long horizonSeconds) {
    if (sweep.sweepWhenDue(nowSecond, horizonSeconds, LatestChanges::secondOf) > 0) {
      decoded.clear(); // deleted behind its back
    }
  }

  private static long secondOf(InodeMeta meta) {
    return meta.getLatestChange() == null
        ? Long.MIN_VALUE
        : TrackingFreshness.second(meta.getLatestChange().getEventTimeMs());
  }

  /**
   * What the inode remembers after {@code change}: {@code previous} itself when the change is too old to matter.
   *
   * @param originator the client that made it; null when every fresh client was told, the originator included
   */
  static InodeMeta merged(
      InodeMeta previous, Invalidation change, String originator, int timeoutSeconds) {
    if (previous == null || previous.getLatestChange() == null) {
      return meta(originator, change);
    }
    Invalidation latest = previous.getLatestChange();
    long gap =
        TrackingFreshness.second(change.getEventTimeMs())
            - TrackingFreshness.second(latest.getEventTimeMs());
    if (gap >= timeoutSeconds) {
      return meta(originator, change);
    }
    if (-gap >= timeoutSeconds) {
      return previous; // a late change too old to be fresh for any access after the latest one
    }
    boolean changeIsLater = change.getEventTimeMs() >= latest.getEventTimeMs();
    Invalidation later = changeIsLater ? change : latest;
    Invalidation earlier = changeIsLater ? latest : change;
    String bothOriginators =
        Objects.equals(previous.getLatestChangeOriginator(), originator) ? originator : null;
    // Whom a forget told stays with it for T. (A new builder, not a copy builder: that deep-copies
    // every field.)
    return InodeMeta.newBuilder()
        .setLatestChangeOriginator(bothOriginators)
        .setLatestChange(merge(later, earlier))
        .setTxIds(previous.getTxIds())
        .setForgetCause(previous.getForgetCause())
        .setForgotten(previous.getForgotten())
        .build();
  }

  /** {@code meta} noting that the forget caused by {@code cause} told {@code clients} (and stopped tracking them). */
  static InodeMeta withForgotten(InodeMeta meta, String cause, List<String> clients) {
    return InodeMeta.newBuilder()
        .setLatestChangeOriginator(meta.getLatestChangeOriginator())
        .setLatestChange(meta.getLatestChange())
        .setTxIds(meta.getTxIds())
        .setForgetCause(cause)
        .setForgotten(clients)
        .build();
  }

  private static Invalidation merge(Invalidation later, Invalidation earlier) {
    Invalidation merged = InvalidationCopies.of(later).build();
    merged.setFlags(later.getFlags() | earlier.getFlags());
    // A stat flag without a stat tells the client to drop its stat: an older stat must not undo
    // that.
    if (later.getStat() == null && (later.getFlags() & STAT_FLAGS) == 0) {
      merged.setStat(earlier.getStat());
    }
    if (!PARENT_TIMES.in(later.getFlags()) && PARENT_TIMES.in(earlier.getFlags())) {
      merged.setParent(earlier.getParent());
      merged.setParentStat(earlier.getParentStat());
      merged.setOldParent(earlier.getOldParent());
      merged.setOldParentStat(earlier.getOldParentStat());
    }
    merged.setXattrs(mergedXattrs(later, earlier));
    return merged;
  }

  /**
   * Names of both; no values, since a set and a removal of one name may both be in it and the client must
   * fetch the value again. An xattr flag with no names (SETATTR's mode change) means every xattr, and wins.
   */
  private static List<Xattr> mergedXattrs(Invalidation later, Invalidation earlier) {
    if (meansEveryXattr(later) || meansEveryXattr(earlier)) {
      return List.of();
    }
    if (earlier.getXattrs().isEmpty()) {
      return later.getXattrs();
    }
    if (later.getXattrs().isEmpty()) {
      return earlier.getXattrs();
    }
    Map<String, Xattr> byName = new LinkedHashMap<>();
    for (Xattr xattr : earlier.getXattrs()) {
      byName.put(xattr.getName(), new Xattr(xattr.getName(), null));
    }
    for (Xattr xattr : later.getXattrs()) {
      byName.put(xattr.getName(), new Xattr(xattr.getName(), null));
    }
    // An inode changed without a T-long pause never starts afresh: its names must not pile up for
    // ever.
    return byName.size() > MAX_MERGED_XATTRS ? List.of() : new ArrayList<>(byName.values());
  }

  private static boolean meansEveryXattr(Invalidation change) {
    return (change.getFlags() & XATTR_FLAGS) != 0 && change.getXattrs().isEmpty();
  }

  private static InodeMeta meta(String originator, Invalidation change) {
    return InodeMeta.newBuilder()
        .setLatestChangeOriginator(originator)
        .setLatestChange(change)
        .setTxIds(Map.of())
        .setForgetCause(null)
        .setForgotten(List.of())
        .build();
  }
}
