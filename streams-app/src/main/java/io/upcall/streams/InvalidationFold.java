package io.upcall.streams;

import static io.upcall.schemas.UpcallFlag.ATIME;
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

import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.UpcallFlag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When two invalidations of one inode for one client, told one after the other in one batch, may travel as one:
 * exactly when applying the folded one leaves the client's cache (the md-cache rules of docs/semantics.md, "The
 * client's cache") as applying both in order would. The rule, for an earlier {@code a} and a later {@code b}:
 * <ul>
 *   <li>never when either carries PARENT_TIMES (it changes other inodes, in order with the batch's other
 *       entries), unknown flag bits, or a different invalidation timeout (a lower one resets the whole cache);
 *   <li>{@code b} drops the inode (NLINK, RENAME, FORGET): {@code b} alone;
 *   <li>{@code a} drops it: {@code a} alone (stamped with {@code b}'s time and cause), since nothing applies to an
 *       inode the cache no longer holds;
 *   <li>otherwise the union of their flags, with the stat newer by ctime ({@code b}'s on a tie, as the cache keeps
 *       the newer), and the xattr names merged, the later value winning — but only where order cannot show: not
 *       when a stat flag comes without a stat (it clears the cached stat), not when an xattr removal of {@code a}
 *       could empty an entry that {@code b}'s stat would then no longer find, and only XATTR with XATTR (names set
 *       by {@code a}) or XATTR_RM with XATTR_RM (names removed), never a removal and a setting of the same names.
 * </ul>
 */
final class InvalidationFold {
  static final int DROPS_INODE = mask(NLINK, RENAME, FORGET);
  static final int STAT_FLAGS = mask(MODE, OWN, SIZE, TIMES, ATIME, PERM);
  private static final int XATTR_FLAGS = mask(XATTR, XATTR_RM);

  private InvalidationFold() {}

  /**
   * The one invalidation that stands for {@code earlier} then {@code later} (in the order they were decided), or null
   * when they must stay two. It carries the event time and cause of whichever of the two is newer in event time:
   * records about one inode may be decided out of event-time order, and a listener (or an oracle) must be able to
   * tell that it heard of both.
   */
  static Invalidation fold(Invalidation earlier, Invalidation later) {
    Invalidation folded = contentOf(earlier, later);
    if (folded == null
        || folded.getEventTimeMs() >= Math.max(earlier.getEventTimeMs(), later.getEventTimeMs())) {
      return folded;
    }
    Invalidation newest = earlier.getEventTimeMs() > later.getEventTimeMs() ? earlier : later;
    return Invalidation.newBuilder(folded)
        .setEventTimeMs(newest.getEventTimeMs())
        .setCauseFopId(newest.getCauseFopId())
        .setBrick(newest.getBrick())
        .build();
  }

  /** What applying the two leaves in a cache, as one invalidation; null when no one invalidation does. */
  private static Invalidation contentOf(Invalidation earlier, Invalidation later) {
    int a = earlier.getFlags();
    int b = later.getFlags();
    if (((a | b) & (PARENT_TIMES.bit() | ~UpcallFlag.ALL_BITS)) != 0
        || earlier.getExpireTimeSeconds() != later.getExpireTimeSeconds()) {
      return null;
    }
    if ((b & DROPS_INODE) != 0) {
      return later;
    }
    if ((a & DROPS_INODE) != 0) {
      // What the earlier says, as of the later change: the client then knows it has heard of both.
      return Invalidation.newBuilder(earlier)
          .setEventTimeMs(later.getEventTimeMs())
          .setCauseFopId(later.getCauseFopId())
          .setBrick(later.getBrick())
          .build();
    }
    if (clearsStat(earlier) || clearsStat(later)) {
      return null;
    }
    int xa = a & XATTR_FLAGS;
    int xb = b & XATTR_FLAGS;
    if (removesXattrs(earlier) && (b & STAT_FLAGS) != 0) {
      return null; // the removal may empty the entry, which b's stat would then not find; folded,
      // it would
    }
    List<Xattr> xattrs;
    if (xa == 0) {
      xattrs = later.getXattrs();
    } else if (xb == 0) {
      xattrs = earlier.getXattrs();
    } else if (xa == XATTR.bit()
        && xb == XATTR.bit()
        && !earlier.getXattrs().isEmpty()
        && !later.getXattrs().isEmpty()
        && !removesXattrs(earlier)) {
      xattrs = merged(earlier.getXattrs(), later.getXattrs());
    } else if (xa == XATTR_RM.bit()
        && xb == XATTR_RM.bit()
        && !earlier.getXattrs().isEmpty()
        && !later.getXattrs().isEmpty()) {
      xattrs = merged(earlier.getXattrs(), later.getXattrs());
    } else {
      return null;
    }
    return Invalidation.newBuilder(later)
        .setFlags(a | b)
        .setStat(newer(earlier, later))
        .setXattrs(xattrs)
        .build();
  }

  private static boolean clearsStat(Invalidation invalidation) {
    return (invalidation.getFlags() & STAT_FLAGS) != 0 && invalidation.getStat() == null;
  }

  /** Whether applying it may remove cached xattrs: XATTR_RM, XATTR without names (all go) or with a removed name. */
  private static boolean removesXattrs(Invalidation invalidation) {
    int flags = invalidation.getFlags();
    if (XATTR_RM.in(flags)) {
      return true;
    }
    if (!XATTR.in(flags)) {
      return false;
    }
    return invalidation.getXattrs().isEmpty()
        || invalidation.getXattrs().stream().anyMatch(xattr -> xattr.getValue() == null);
  }

  private static Iatt newer(Invalidation earlier, Invalidation later) {
    if ((later.getFlags() & STAT_FLAGS) == 0) {
      return earlier.getStat();
    }
    if ((earlier.getFlags() & STAT_FLAGS) == 0) {
      return later.getStat();
    }
    Iatt a = earlier.getStat();
    Iatt b = later.getStat();
    int bySeconds = Long.compare(b.getCtimeSec(), a.getCtimeSec());
    boolean laterIsOlder = bySeconds != 0 ? bySeconds < 0 : b.getCtimeNsec() < a.getCtimeNsec();
    return laterIsOlder ? a : b;
  }

  private static List<Xattr> merged(List<Xattr> earlier, List<Xattr> later) {
    Map<String, Xattr> byName = new LinkedHashMap<>();
    for (Xattr xattr : earlier) {
      byName.put(xattr.getName(), xattr);
    }
    for (Xattr xattr : later) {
      byName.remove(xattr.getName()); // the later value, at the later position
      byName.put(xattr.getName(), xattr);
    }
    return new ArrayList<>(byName.values());
  }
}
