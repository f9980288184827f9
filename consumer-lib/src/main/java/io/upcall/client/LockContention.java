package io.upcall.client;

import io.upcall.avro.Gfid;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.UpcallEventType;

/**
 * Another client waits for a lock this client holds; the brick says so at most once per notify-contention-delay
 * per inode, so the holder can release early (as GlusterFS's lock-contention upcall does).
 *
 * @param entryLock true for an entry lock (entrylk) on a name in the directory gfid, false for an inode lock
 * @param volume the volume
 * @param brick the brick where the lock is held
 * @param gfid the locked inode (for an entry lock, its directory)
 * @param domain the lock domain; null when not given
 * @param lockOwner the holder's lock owner; null when not given
 * @param basename the locked entry name (entry locks); null otherwise
 * @param eventTimeMs when the brick saw the contention, epoch ms
 */
public record LockContention(
    boolean entryLock,
    String volume,
    String brick,
    Gfid gfid,
    String domain,
    String lockOwner,
    String basename,
    long eventTimeMs) {

  static LockContention of(UpcallEvent event) {
    var notice = event.getContention();
    return new LockContention(
        event.getEventType() == UpcallEventType.ENTRYLK_CONTENTION,
        event.getVolume(),
        event.getBrick(),
        event.getGfid(),
        notice == null ? null : notice.getDomain(),
        notice == null ? null : notice.getLockOwner(),
        notice == null ? null : notice.getBasename(),
        event.getEventTimeMs());
  }
}
