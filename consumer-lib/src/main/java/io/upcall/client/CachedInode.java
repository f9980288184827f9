package io.upcall.client;

import io.upcall.avro.Iatt;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What the cache holds for one inode: its stat and the xattrs it fetched, stamped with the cache epoch they
 * were filled in and the tick after which the server stops tracking this client on the inode.
 */
record CachedInode(Iatt stat, Map<String, ByteBuffer> xattrs, long epoch, long deadlineNanos) {

  CachedInode {
    xattrs = Map.copyOf(xattrs);
  }

  static CachedInode empty(long epoch, long deadlineNanos) {
    return new CachedInode(null, Map.of(), epoch, deadlineNanos);
  }

  boolean isEmpty() {
    return stat == null && xattrs.isEmpty();
  }

  CachedInode withStat(Iatt newStat) {
    return new CachedInode(newStat, xattrs, epoch, deadlineNanos);
  }

  /** The stat replaced by {@code newStat} unless the cached one is newer by ctime (docs/semantics.md). */
  CachedInode withNewerStat(Iatt newStat) {
    if (stat != null && isOlderByCtime(newStat, stat)) {
      return this;
    }
    return withStat(newStat);
  }

  CachedInode withXattrs(Map<String, ByteBuffer> merged) {
    Map<String, ByteBuffer> next = new HashMap<>(xattrs);
    next.putAll(merged);
    return new CachedInode(stat, next, epoch, deadlineNanos);
  }

  CachedInode withoutXattrs(Collection<String> names) {
    Map<String, ByteBuffer> next = new HashMap<>(xattrs);
    next.keySet().removeAll(names);
    return new CachedInode(stat, next, epoch, deadlineNanos);
  }

  CachedInode withoutAnyXattrs() {
    return new CachedInode(stat, Map.of(), epoch, deadlineNanos);
  }

  /** True when {@code candidate} was taken before {@code cached} last changed: ctime moves on every change. */
  static boolean isOlderByCtime(Iatt candidate, Iatt cached) {
    int bySeconds = Long.compare(candidate.getCtimeSec(), cached.getCtimeSec());
    return bySeconds != 0 ? bySeconds < 0 : candidate.getCtimeNsec() < cached.getCtimeNsec();
  }

  /** Later fills renew the server's tracking of this client, so the deadline only moves forward. */
  CachedInode trackedUntil(long newDeadlineNanos) {
    return new CachedInode(stat, xattrs, epoch, Math.max(deadlineNanos, newDeadlineNanos));
  }
}
