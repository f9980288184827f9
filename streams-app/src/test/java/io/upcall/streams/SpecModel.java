package io.upcall.streams;

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
import io.upcall.avro.Iatt;
import io.upcall.avro.Xattr;
import io.upcall.schemas.Gfids;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * docs/semantics.md written plainly, for checking the topology against: fops processed one by one in the order given,
 * a map of tracked clients per gfid, the primitives touch/notify/forget, and the per-fop table. It shares no code
 * with the production classes but the flag names of UpcallFlag (xattr globs go through java.nio's glob matcher).
 */
final class SpecModel {
  /** What the model says one client gets. */
  record Expected(
      String client,
      Gfid gfid,
      int flags,
      List<Xattr> xattrs,
      Iatt stat,
      Gfid parent,
      Iatt parentStat,
      Gfid oldParent,
      Iatt oldParentStat,
      long eventTimeMs,
      String cause,
      int expire) {}

  private final Map<Gfid, TreeMap<String, Long>> lastAccess = new HashMap<>();
  private final Map<String, Long> transactions = new HashMap<>();
  private final Map<String, List<String>> patterns = new HashMap<>();
  private final List<Expected> out = new ArrayList<>();
  private boolean enabled;
  private int timeout;

  SpecModel(boolean enabled, int timeout) {
    this.enabled = enabled;
    this.timeout = timeout;
  }

  void register(String client, List<String> clientPatterns) {
    patterns.put(client, clientPatterns);
  }

  void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  List<Expected> drain() {
    List<Expected> drained = new ArrayList<>(out);
    out.clear();
    return drained;
  }

  void process(FopRecord fop, String cause) {
    if (!enabled) {
      return;
    }
    long second = Math.floorDiv(fop.getEventTimeMs(), 1000);
    if (fop.getTxId() != null) {
      Long first = transactions.get(fop.getTxId());
      if (first != null && Math.abs(second - first) < timeout) {
        return;
      }
      transactions.put(fop.getTxId(), second);
    }
    Change change = new Change(fop, cause);
    String c = fop.getClient();
    Gfid g = fop.getGfid();
    switch (fop.getFop()) {
      case LOOKUP:
      case STAT:
      case FSTAT:
      case ACCESS:
      case READ:
      case READLINK:
      case OPEN:
      case OPENDIR:
      case STATFS:
      case LK:
      case SEEK:
      case GETXATTR:
      case FGETXATTR:
      case READDIR:
        touch(g, c, second);
        break;
      case READDIRP:
        touch(g, c, second);
        for (Gfid entry : fop.getEntries()) {
          touch(entry, c, second);
        }
        break;
      case WRITE:
      case TRUNCATE:
      case FTRUNCATE:
      case FALLOCATE:
      case DISCARD:
      case ZEROFILL:
      case PUT:
      case COPY_FILE_RANGE:
        notify(g, change.flags(mask(SIZE, TIMES)).stat(fop.getStat()));
        break;
      case SETATTR:
      case FSETATTR:
        notify(
            g,
            change
                .flags(
                    mask(SIZE, TIMES, OWN, MODE, PERM) | (fop.getModeChanged() ? XATTR.bit() : 0))
                .stat(fop.getStat()));
        break;
      case CREATE:
      case MKNOD:
      case MKDIR:
      case SYMLINK:
        touch(g, c, second);
        notify(fop.getParent(), change.flags(TIMES.bit()).stat(fop.getParentStat()));
        break;
      case UNLINK:
      case RMDIR:
        notify(
            g,
            change
                .flags(mask(NLINK, TIMES, PARENT_TIMES))
                .parent(fop.getParent(), fop.getParentStat()));
        if (fop.getFop() == Fop.RMDIR || Integer.valueOf(0).equals(fop.getNlink())) {
          forget(g, change);
        }
        notify(fop.getParent(), change.flags(TIMES.bit()).stat(fop.getParentStat()));
        break;
      case LINK:
        notify(
            g,
            change
                .flags(mask(NLINK, TIMES, PARENT_TIMES))
                .parent(fop.getParent(), fop.getParentStat()));
        notify(fop.getParent(), change.flags(TIMES.bit()).stat(fop.getParentStat()));
        break;
      case RENAME:
        notify(
            g,
            change
                .flags(mask(RENAME, PARENT_TIMES))
                .parent(fop.getNewParent(), fop.getNewParentStat())
                .oldParent(fop.getParent(), fop.getParentStat()));
        notify(fop.getParent(), change.flags(TIMES.bit()).stat(fop.getParentStat()));
        if (!fop.getNewParent().equals(fop.getParent())) {
          notify(fop.getNewParent(), change.flags(TIMES.bit()).stat(fop.getNewParentStat()));
        }
        if (fop.getOverwritten() != null) {
          if (Integer.valueOf(0).equals(fop.getOverwrittenNlink())) {
            forget(fop.getOverwritten(), change);
          } else {
            notify(fop.getOverwritten(), change.flags(mask(NLINK, TIMES)));
          }
        }
        break;
      case SETXATTR:
      case FSETXATTR:
        notify(
            g,
            change
                .flags(XATTR.bit() | (fop.getStat() != null ? TIMES.bit() : 0))
                .stat(fop.getStat())
                .xattrs(fop.getXattrs()));
        break;
      case REMOVEXATTR:
      case FREMOVEXATTR:
        notify(
            g,
            change
                .flags(XATTR_RM.bit() | (fop.getStat() != null ? TIMES.bit() : 0))
                .stat(fop.getStat())
                .xattrs(fop.getXattrs()));
        break;
      default:
        break;
    }
  }

  private void touch(Gfid g, String client, long second) {
    lastAccess.computeIfAbsent(g, x -> new TreeMap<>()).put(client, second);
  }

  private boolean fresh(long eventSecond, long accessSecond) {
    return eventSecond - accessSecond < timeout;
  }

  private void notify(Gfid g, Change change) {
    FopRecord fop = change.fop;
    long second = Math.floorDiv(fop.getEventTimeMs(), 1000);
    for (Map.Entry<String, Long> tracked : lastAccess.getOrDefault(g, new TreeMap<>()).entrySet()) {
      String client = tracked.getKey();
      if (client.equals(fop.getClient()) || !fresh(second, tracked.getValue())) {
        continue;
      }
      List<Xattr> told = change.xattrs;
      if (change.xattrs != null) {
        told = new ArrayList<>();
        for (Xattr xattr : change.xattrs) {
          if (matchesAny(patterns.getOrDefault(client, List.of()), xattr.getName())) {
            told.add(xattr);
          }
        }
        if (told.isEmpty()) {
          continue;
        }
      }
      emit(client, g, change, change.flags, told);
    }
    touch(g, fop.getClient(), second);
  }

  private void forget(Gfid g, Change change) {
    long second = Math.floorDiv(change.fop.getEventTimeMs(), 1000);
    for (Map.Entry<String, Long> tracked : lastAccess.getOrDefault(g, new TreeMap<>()).entrySet()) {
      if (fresh(second, tracked.getValue())) {
        emit(tracked.getKey(), g, new Change(change.fop, change.cause), FORGET.bit(), null);
      }
    }
    lastAccess.remove(g);
  }

  private void emit(String client, Gfid g, Change change, int flags, List<Xattr> xattrs) {
    out.add(
        new Expected(
            client,
            g,
            flags,
            xattrs == null ? List.of() : xattrs,
            change.stat,
            change.parent,
            change.parentStat,
            change.oldParent,
            change.oldParentStat,
            change.fop.getEventTimeMs(),
            change.cause,
            timeout));
  }

  private static boolean matchesAny(List<String> globs, String name) {
    for (String glob : globs) {
      if (FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(Path.of(name))) {
        return true;
      }
    }
    return false;
  }

  /** The clients that ever touched or changed each gfid in a trace: who may plausibly hear about it. */
  static Map<Gfid, Set<String>> everAccessed(List<FopRecord> trace) {
    Map<Gfid, Set<String>> accessed = new HashMap<>();
    for (FopRecord fop : trace) {
      List<Gfid> inodes = new ArrayList<>(fop.getEntries());
      inodes.add(fop.getGfid());
      for (Gfid g : new Gfid[] {fop.getParent(), fop.getNewParent(), fop.getOverwritten()}) {
        if (g != null) {
          inodes.add(g);
        }
      }
      for (Gfid g : inodes) {
        accessed.computeIfAbsent(g, x -> new LinkedHashSet<>()).add(fop.getClient());
      }
    }
    return accessed;
  }

  static String describe(Expected e) {
    return e.client()
        + " "
        + Gfids.format(e.gfid())
        + " "
        + e.flags()
        + " "
        + xattrs(e.xattrs())
        + " stat="
        + size(e.stat())
        + " parent="
        + e.parent()
        + "/"
        + size(e.parentStat())
        + " old="
        + e.oldParent()
        + "/"
        + size(e.oldParentStat())
        + " t="
        + e.eventTimeMs()
        + " cause="
        + e.cause()
        + " T="
        + e.expire();
  }

  static String xattrs(List<Xattr> xattrs) {
    StringBuilder text = new StringBuilder("[");
    for (Xattr xattr : xattrs) {
      text.append(xattr.getName())
          .append('=')
          .append(xattr.getValue() == null ? "-" : xattr.getValue().remaining())
          .append(' ');
    }
    return text.append(']').toString();
  }

  private static String size(Iatt stat) {
    return stat == null ? "-" : Long.toString(stat.getSize());
  }

  /** One fop's change as a notify would send it; each setter returns a copy so one fop can make several. */
  private static final class Change {
    final FopRecord fop;
    final String cause;
    int flags;
    Iatt stat;
    Gfid parent;
    Iatt parentStat;
    Gfid oldParent;
    Iatt oldParentStat;
    List<Xattr> xattrs;

    Change(FopRecord fop, String cause) {
      this.fop = fop;
      this.cause = cause;
    }

    private Change copy() {
      Change copy = new Change(fop, cause);
      copy.flags = flags;
      copy.stat = stat;
      copy.parent = parent;
      copy.parentStat = parentStat;
      copy.oldParent = oldParent;
      copy.oldParentStat = oldParentStat;
      copy.xattrs = xattrs;
      return copy;
    }

    Change flags(int newFlags) {
      Change fresh = new Change(fop, cause);
      fresh.flags = newFlags;
      return fresh;
    }

    Change stat(Iatt newStat) {
      Change copy = copy();
      copy.stat = newStat;
      return copy;
    }

    Change parent(Gfid newParent, Iatt newParentStat) {
      Change copy = copy();
      copy.parent = newParent;
      copy.parentStat = newParentStat;
      return copy;
    }

    Change oldParent(Gfid newOldParent, Iatt newOldParentStat) {
      Change copy = copy();
      copy.oldParent = newOldParent;
      copy.oldParentStat = newOldParentStat;
      return copy;
    }

    Change xattrs(List<Xattr> names) {
      Change copy = copy();
      copy.xattrs = names;
      return copy;
    }
  }
}
