package io.upcall.streams;

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

import io.upcall.avro.Fop;
import io.upcall.schemas.UpcallFlag;
import java.util.EnumMap;
import java.util.Map;

/**
 * The per-fop table of docs/semantics.md, once: which kind each fop is, and so which inodes it concerns and the
 * flags it tells about its own inode. {@link PerInodeFanOut} reads it for the inodes, {@link Effect} for what
 * happens to each. Every fop not listed (FLUSH, FSYNC, locks, leases, XATTROP, UNKNOWN) has {@link #NO_EFFECT}.
 */
enum FopKind {
  /** Reads the inode: touch(inode, originator). */
  ACCESS(
      0,
      Fop.LOOKUP,
      Fop.STAT,
      Fop.FSTAT,
      Fop.ACCESS,
      Fop.READ,
      Fop.READLINK,
      Fop.OPEN,
      Fop.OPENDIR,
      Fop.STATFS,
      Fop.LK,
      Fop.SEEK,
      Fop.GETXATTR,
      Fop.FGETXATTR,
      Fop.READDIR),
  /** Reads a directory and every entry its reply listed: a touch of each. */
  LISTING(0, Fop.READDIRP),
  /** Changes the data: SIZE|TIMES (beyond GlusterFS for PUT and COPY_FILE_RANGE, which it forgets). */
  CONTENT_CHANGE(
      mask(SIZE, TIMES),
      Fop.WRITE,
      Fop.TRUNCATE,
      Fop.FTRUNCATE,
      Fop.FALLOCATE,
      Fop.DISCARD,
      Fop.ZEROFILL,
      Fop.PUT,
      Fop.COPY_FILE_RANGE),
  /** Changes the attributes: whatever changed, plus XATTR (no names) when the mode bits moved, for cached ACLs. */
  ATTRIBUTE_CHANGE(mask(SIZE, TIMES, OWN, MODE, PERM), Fop.SETATTR, Fop.FSETATTR),
  /** Sets xattrs: XATTR, with TIMES when the record carries a post-op stat. */
  XATTR_SET(XATTR.bit(), Fop.SETXATTR, Fop.FSETXATTR),
  /** Removes xattrs: XATTR_RM, with TIMES when the record carries a post-op stat. */
  XATTR_REMOVE(XATTR_RM.bit(), Fop.REMOVEXATTR, Fop.FREMOVEXATTR),
  /** Makes an entry: a touch of the new inode, TIMES to the parent. */
  ENTRY_CREATE(0, Fop.CREATE, Fop.MKNOD, Fop.MKDIR, Fop.SYMLINK),
  /** Removes an entry: NLINK|TIMES|PARENT_TIMES, then a forget when the last link went; TIMES to the parent. */
  ENTRY_REMOVE(mask(NLINK, TIMES, PARENT_TIMES), Fop.UNLINK, Fop.RMDIR),
  /** Adds a link: NLINK|TIMES|PARENT_TIMES; TIMES to the (new) parent. */
  ENTRY_LINK(mask(NLINK, TIMES, PARENT_TIMES), Fop.LINK),
  /**
   * Moves an entry: RENAME|PARENT_TIMES; TIMES to the old parent and to the new one; to an overwritten inode
   * NLINK|TIMES, or a forget when that was its last link.
   */
  ENTRY_RENAME(mask(UpcallFlag.RENAME, PARENT_TIMES), Fop.RENAME),
  /** No effect in this version, not even a touch, so no inode hears of it. */
  NO_EFFECT(0);

  /** What a change of an entry tells its parent directory (and a rename's new parent). */
  static final int PARENT_FLAGS = TIMES.bit();

  /** What a rename tells the inode it overwrote when that still has links. */
  static final int OVERWRITTEN_FLAGS = mask(NLINK, TIMES);

  private static final Map<Fop, FopKind> OF = new EnumMap<>(Fop.class);

  static {
    for (FopKind kind : values()) {
      for (Fop fop : kind.fops) {
        if (OF.put(fop, kind) != null) {
          throw new IllegalStateException(fop + " has two kinds");
        }
      }
    }
  }

  private final int flags;
  private final Fop[] fops;

  FopKind(int flags, Fop... fops) {
    this.flags = flags;
    this.fops = fops;
  }

  /** The kind of {@code fop}. */
  static FopKind of(Fop fop) {
    return OF.getOrDefault(fop, NO_EFFECT);
  }

  /** The flags this kind of fop tells about its own inode (TARGET); 0 when it only touches it. */
  int flags() {
    return flags;
  }
}
