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
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeRole;
import java.util.List;

/**
 * What one fop does to one of the inodes it concerns: the per-fop table of docs/semantics.md, row by row. The
 * {@link Invalidation} in a {@link Notify} or {@link Forget} is the change as every recipient would get it,
 * before the recipient, the xattr filter and the timeout in force are filled in.
 */
sealed interface Effect {

  /** touch(inode, originator); nobody is notified. */
  record Touch() implements Effect {}

  /** notify(inode, change), then forget(inode) when {@code thenForget} (the last link went). */
  record Notify(Invalidation change, boolean thenForget) implements Effect {}

  /** forget(inode): FORGET to every fresh tracked client, the originator included; then drop the inode's state. */
  record Forget(Invalidation change) implements Effect {}

  /** Nothing at all, not even a touch. */
  record None() implements Effect {}

  Effect TOUCH = new Touch();
  Effect NONE = new None();

  /** The effect of {@code event} on {@code inode}, the inode the event is keyed by. */
  static Effect of(Gfid inode, InodeEvent event) {
    FopRecord fop = event.getFop();
    InodeRole role = event.getRole();
    switch (fop.getFop()) {
      case LOOKUP: case STAT: case FSTAT: case ACCESS: case READ: case READLINK: case OPEN: case OPENDIR:
      case STATFS: case LK: case SEEK: case GETXATTR: case FGETXATTR: case READDIR:
      case READDIRP: // the directory (TARGET) and every entry the reply listed (LISTED_ENTRY)
        return TOUCH;

      case WRITE: case TRUNCATE: case FTRUNCATE: case FALLOCATE: case DISCARD: case ZEROFILL:
      case PUT: case COPY_FILE_RANGE: // beyond GlusterFS: it forgets these, so caches go stale
        return notify(change(inode, event, mask(SIZE, TIMES), fop.getStat()));

      case SETATTR: case FSETATTR: {
        // Whatever changed; XATTR with no names makes clients drop cached ACLs when the mode bits moved.
        int flags = mask(SIZE, TIMES, OWN, MODE, PERM) | (fop.getModeChanged() ? XATTR.bit() : 0);
        return notify(change(inode, event, flags, fop.getStat()));
      }

      case CREATE: case MKNOD: case MKDIR: case SYMLINK:
        return role == InodeRole.PARENT ? parentTimes(inode, event, fop.getParentStat()) : TOUCH;

      case UNLINK: case RMDIR:
        if (role == InodeRole.PARENT) {
          return parentTimes(inode, event, fop.getParentStat()); // beyond GlusterFS: gluster issue 933
        }
        Invalidation unlinked = change(inode, event, mask(NLINK, TIMES, PARENT_TIMES), null);
        unlinked.setParent(fop.getParent());
        unlinked.setParentStat(fop.getParentStat());
        boolean lastLink = fop.getFop() == Fop.RMDIR || Integer.valueOf(0).equals(fop.getNlink());
        return new Notify(unlinked, lastLink);

      case LINK: // parent is the new parent
        if (role == InodeRole.PARENT) {
          return parentTimes(inode, event, fop.getParentStat());
        }
        Invalidation linked = change(inode, event, mask(NLINK, TIMES, PARENT_TIMES), null);
        linked.setParent(fop.getParent());
        linked.setParentStat(fop.getParentStat());
        return notify(linked);

      case RENAME: // parent is the old parent
        switch (role) {
          case TARGET: {
            Invalidation renamed = change(inode, event, mask(RENAME, PARENT_TIMES), null);
            renamed.setParent(fop.getNewParent());
            renamed.setParentStat(fop.getNewParentStat());
            renamed.setOldParent(fop.getParent());
            renamed.setOldParentStat(fop.getParentStat());
            return notify(renamed);
          }
          case PARENT:
            return parentTimes(inode, event, fop.getParentStat());
          case NEW_PARENT:
            return parentTimes(inode, event, fop.getNewParentStat());
          case OVERWRITTEN: // beyond GlusterFS: it says nothing until the brick drops the inode
            return Integer.valueOf(0).equals(fop.getOverwrittenNlink())
                ? new Forget(change(inode, event, FORGET.bit(), null))
                : notify(change(inode, event, mask(NLINK, TIMES), null));
          default:
            return NONE;
        }

      case SETXATTR: case FSETXATTR:
        return xattrChange(inode, event, XATTR.bit());
      case REMOVEXATTR: case FREMOVEXATTR:
        return xattrChange(inode, event, XATTR_RM.bit());

      default: // FLUSH, FSYNC, locks, leases, XATTROP: no effect in this version
        return NONE;
    }
  }

  private static Effect xattrChange(Gfid inode, InodeEvent event, int xattrFlag) {
    FopRecord fop = event.getFop();
    if (fop.getXattrs().isEmpty()) {
      return TOUCH; // names nothing, so it matches no client's patterns; the originator still accessed it
    }
    // GlusterFS 10 sends TIMES|XATTR; a record without a post-op stat has no times to tell.
    int flags = xattrFlag | (fop.getStat() != null ? TIMES.bit() : 0);
    Invalidation change = change(inode, event, flags, fop.getStat());
    change.setXattrs(fop.getXattrs());
    return notify(change);
  }

  private static Effect parentTimes(Gfid inode, InodeEvent event, Iatt parentStat) {
    return notify(change(inode, event, TIMES.bit(), parentStat));
  }

  private static Effect notify(Invalidation change) {
    return new Notify(change, false);
  }

  private static Invalidation change(Gfid inode, InodeEvent event, int flags, Iatt stat) {
    FopRecord fop = event.getFop();
    return new Invalidation("", inode, flags, fop.getVolume(), stat, null, null, null, null, List.<Xattr>of(), 0,
        fop.getEventTimeMs(), fop.getBrick(), event.getCauseFopId());
  }
}
