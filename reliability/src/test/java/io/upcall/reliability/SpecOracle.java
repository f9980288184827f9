package io.upcall.reliability;

import static io.upcall.schemas.UpcallFlag.FORGET;
import static io.upcall.schemas.UpcallFlag.MODE;
import static io.upcall.schemas.UpcallFlag.NLINK;
import static io.upcall.schemas.UpcallFlag.OWN;
import static io.upcall.schemas.UpcallFlag.PARENT_TIMES;
import static io.upcall.schemas.UpcallFlag.PERM;
import static io.upcall.schemas.UpcallFlag.RENAME;
import static io.upcall.schemas.UpcallFlag.SIZE;
import static io.upcall.schemas.UpcallFlag.TIMES;
import static io.upcall.schemas.UpcallFlag.XATTR;
import static io.upcall.schemas.UpcallFlag.XATTR_RM;
import static io.upcall.schemas.UpcallFlag.mask;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent model of docs/semantics.md, written from its rules alone (no production class; only the flag names
 * come from UpcallFlag): takes the fop log, replays every inode's events in event-time order (ties by position in
 * the log), and says which invalidations the rules require. Processed in event-time order the order rule adds nothing, so it is
 * not modelled, except for its one refinement in the pipeline: an access in the same millisecond as a change is
 * taken as possibly earlier (records from different bricks carry no order within a millisecond), so the client may
 * also be told that change; the model lists those moments as permitted, not required. No client registers xattr
 * patterns in these tests, so an xattr change tells nobody unless it carries other flags (docs/semantics.md: with no
 * registration, no xattr event).
 */
final class SpecOracle {
  /** A fop record and where it sits in the fop topic. */
  record Logged(FopRecord fop, String topic, int partition, long offset) {
    /** The cause an invalidation names: the fop id, or the record's position when it has none. */
    String cause() {
      return fop.getFopId() != null ? fop.getFopId() : topic + "-" + partition + "@" + offset;
    }
  }

  /**
   * What docs/semantics.md asks of the pipeline for a fop log: the invalidations it requires, and the moments at
   * which a client touched an inode in the very millisecond of a change already applied, with how many such touches
   * there were: each permits one more invalidation.
   */
  record Expected(List<Told> required, Map<Told.Moment, Integer> sameMillisecond) {}

  private record Event(Gfid inode, Logged logged, int step, Action action) {}

  private interface Action {
    void apply(Inode inode, Logged logged);
  }

  /** Everything the rules keep about one inode. */
  private final class Inode {
    final String gfid;
    final Map<String, Long> lastAccess = new LinkedHashMap<>();
    final Map<String, Long> transactions = new HashMap<>();
    long latestChangeMs = Long.MIN_VALUE;

    Inode(String gfid) {
      this.gfid = gfid;
    }

    void touch(String client, long eventTimeMs) {
      if (eventTimeMs == latestChangeMs) {
        sameMillisecond.merge(new Told.Moment(client, gfid, eventTimeMs), 1, Integer::sum);
      }
      lastAccess.merge(client, second(eventTimeMs), Math::max);
    }

    void notify(Logged logged, int flags, boolean namesXattrs) {
      FopRecord fop = logged.fop();
      long second = second(fop.getEventTimeMs());
      for (Map.Entry<String, Long> tracked : lastAccess.entrySet()) {
        if (!tracked.getKey().equals(fop.getClient())
            && second - tracked.getValue() < timeoutSeconds) {
          tell(tracked.getKey(), logged, flags, namesXattrs);
        }
      }
      touch(fop.getClient(), fop.getEventTimeMs());
      latestChangeMs = Math.max(latestChangeMs, fop.getEventTimeMs());
    }

    void forget(Logged logged) {
      long second = second(logged.fop().getEventTimeMs());
      lastAccess.forEach(
          (client, last) -> {
            if (second - last < timeoutSeconds) {
              tell(client, logged, FORGET.bit(), false);
            }
          });
      lastAccess.clear();
      latestChangeMs = Math.max(latestChangeMs, logged.fop().getEventTimeMs());
    }

    /** With no xattr patterns registered, names match nobody: only the flags that are not about xattrs remain. */
    private void tell(String client, Logged logged, int flags, boolean namesXattrs) {
      int told = flags;
      if (namesXattrs) {
        if ((flags & ~mask(XATTR, XATTR_RM, TIMES)) == 0) {
          return;
        }
        told = flags & ~mask(XATTR, XATTR_RM);
      }
      required.add(new Told(client, gfid, told, logged.cause(), logged.fop().getEventTimeMs()));
    }
  }

  private final int timeoutSeconds;
  private final Map<Gfid, Inode> inodes = new HashMap<>();
  private final List<Told> required = new ArrayList<>();
  private final Map<Told.Moment, Integer> sameMillisecond = new HashMap<>();

  private SpecOracle(int timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  /** The invalidations the rules require for {@code log} under timeout T, and the ones it permits besides. */
  static Expected expected(List<Logged> log, int timeoutSeconds) {
    SpecOracle oracle = new SpecOracle(timeoutSeconds);
    List<Event> events = new ArrayList<>();
    for (Logged logged : log) {
      oracle.eventsOf(logged, events);
    }
    events.sort(
        Comparator.<Event>comparingLong(e -> e.logged().fop().getEventTimeMs())
            .thenComparingInt(e -> e.logged().partition())
            .thenComparingLong(e -> e.logged().offset())
            .thenComparingInt(Event::step));
    for (Event event : events) {
      Inode inode =
          oracle.inodes.computeIfAbsent(
              event.inode(), gfid -> oracle.new Inode(Gfids.format(gfid)));
      FopRecord fop = event.logged().fop();
      if (fop.getTxId() != null && event.step() == 0 && oracle.seenBefore(inode, fop)) {
        continue;
      }
      event.action().apply(inode, event.logged());
    }
    return new Expected(oracle.required, oracle.sameMillisecond);
  }

  /** Replicas' copies: a transaction id already processed on this inode within T changes nothing. */
  private boolean seenBefore(Inode inode, FopRecord fop) {
    long second = second(fop.getEventTimeMs());
    Long first = inode.transactions.get(fop.getTxId());
    if (first != null && Math.abs(second - first) < timeoutSeconds) {
      return true;
    }
    inode.transactions.put(fop.getTxId(), second);
    return false;
  }

  /** The per-fop table of docs/semantics.md: what the fop does to each inode it concerns. */
  private void eventsOf(Logged logged, List<Event> events) {
    FopRecord fop = logged.fop();
    Gfid target = fop.getGfid();
    Action touch = (inode, l) -> inode.touch(fop.getClient(), fop.getEventTimeMs());
    switch (fop.getFop()) {
      case LOOKUP,
          STAT,
          FSTAT,
          ACCESS,
          READ,
          READLINK,
          OPEN,
          OPENDIR,
          STATFS,
          LK,
          SEEK,
          GETXATTR,
          FGETXATTR,
          READDIR ->
          events.add(new Event(target, logged, 0, touch));
      case READDIRP -> {
        events.add(new Event(target, logged, 0, touch));
        fop.getEntries().stream()
            .distinct()
            .filter(entry -> !entry.equals(target))
            .forEach(entry -> events.add(new Event(entry, logged, 0, touch)));
      }
      case WRITE, TRUNCATE, FTRUNCATE, FALLOCATE, DISCARD, ZEROFILL, PUT, COPY_FILE_RANGE ->
          events.add(
              new Event(
                  target, logged, 0, (inode, l) -> inode.notify(l, mask(SIZE, TIMES), false)));
      case SETATTR, FSETATTR -> {
        int flags =
            mask(SIZE, TIMES, OWN, MODE, PERM)
                | (Boolean.TRUE.equals(fop.getModeChanged()) ? XATTR.bit() : 0);
        events.add(new Event(target, logged, 0, (inode, l) -> inode.notify(l, flags, false)));
      }
      case CREATE, MKNOD, MKDIR, SYMLINK -> {
        events.add(
            new Event(
                fop.getParent(), logged, 0, (inode, l) -> inode.notify(l, TIMES.bit(), false)));
        events.add(new Event(target, logged, 0, touch));
      }
      case UNLINK, RMDIR -> {
        boolean lastLink = fop.getFop() == Fop.RMDIR || Integer.valueOf(0).equals(fop.getNlink());
        events.add(
            new Event(
                target,
                logged,
                0,
                (inode, l) -> {
                  inode.notify(l, mask(NLINK, TIMES, PARENT_TIMES), false);
                  if (lastLink) {
                    inode.forget(l);
                  }
                }));
        events.add(
            new Event(
                fop.getParent(), logged, 0, (inode, l) -> inode.notify(l, TIMES.bit(), false)));
      }
      case LINK -> {
        events.add(
            new Event(
                target,
                logged,
                0,
                (inode, l) -> inode.notify(l, mask(NLINK, TIMES, PARENT_TIMES), false)));
        events.add(
            new Event(
                fop.getParent(), logged, 0, (inode, l) -> inode.notify(l, TIMES.bit(), false)));
      }
      case RENAME -> {
        events.add(
            new Event(
                target,
                logged,
                0,
                (inode, l) -> inode.notify(l, mask(RENAME, PARENT_TIMES), false)));
        events.add(
            new Event(
                fop.getParent(), logged, 0, (inode, l) -> inode.notify(l, TIMES.bit(), false)));
        if (!fop.getNewParent().equals(fop.getParent())) {
          events.add(
              new Event(
                  fop.getNewParent(),
                  logged,
                  0,
                  (inode, l) -> inode.notify(l, TIMES.bit(), false)));
        }
        if (fop.getOverwritten() != null) {
          boolean gone = Integer.valueOf(0).equals(fop.getOverwrittenNlink());
          events.add(
              new Event(
                  fop.getOverwritten(),
                  logged,
                  0,
                  gone
                      ? (inode, l) -> inode.forget(l)
                      : (inode, l) -> inode.notify(l, mask(NLINK, TIMES), false)));
        }
      }
      case SETXATTR, FSETXATTR -> events.add(xattrChange(logged, XATTR.bit()));
      case REMOVEXATTR, FREMOVEXATTR -> events.add(xattrChange(logged, XATTR_RM.bit()));
      default -> {} // FLUSH, FSYNC, locks, leases, XATTROP: no effect in this version
    }
  }

  private static Event xattrChange(Logged logged, int flag) {
    FopRecord fop = logged.fop();
    int flags = flag | (fop.getStat() != null ? TIMES.bit() : 0);
    return new Event(
        fop.getGfid(), logged, 0, (inode, l) -> inode.notify(l, flags, !fop.getXattrs().isEmpty()));
  }

  private static long second(long eventTimeMs) {
    return Math.floorDiv(eventTimeMs, 1000L);
  }
}
