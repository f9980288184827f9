package io.upcall.streams;

import static io.upcall.schemas.UpcallFlag.FORGET;
import static io.upcall.schemas.UpcallFlag.TIMES;
import static io.upcall.schemas.UpcallFlag.XATTR;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeRole;
import java.util.List;

/**
 * What one fop does to one of the inodes it concerns: the per-fop table of docs/semantics.md, row by row, as
 * {@link FopKind} sorts the fops. The {@link Invalidation} in a {@link Notify} or {@link Forget} is the change as
 * every recipient would get it, before the recipient, the xattr filter and the timeout in force are filled in.
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
    FopKind kind = FopKind.of(fop.getFop());
    return switch (kind) {
      case ACCESS, LISTING ->
          TOUCH; // a listing: the directory (TARGET) and every entry listed (LISTED_ENTRY)
      case CONTENT_CHANGE -> notify(change(inode, event, kind.flags(), fop.getStat()));
      case ATTRIBUTE_CHANGE ->
          notify(
              change(
                  inode,
                  event,
                  kind.flags() | (fop.getModeChanged() ? XATTR.bit() : 0),
                  fop.getStat()));
      case XATTR_SET, XATTR_REMOVE -> xattrChange(inode, event, kind.flags());
      case ENTRY_CREATE ->
          role == InodeRole.PARENT ? parentTimes(inode, event, fop.getParentStat()) : TOUCH;
      case ENTRY_REMOVE, ENTRY_LINK -> { // a link's parent is the new parent
        if (role == InodeRole.PARENT) {
          yield parentTimes(
              inode, event, fop.getParentStat()); // beyond GlusterFS for unlink: gluster issue 933
        }
        Invalidation entry = change(inode, event, kind.flags(), null);
        entry.setParent(fop.getParent());
        entry.setParentStat(fop.getParentStat());
        boolean lastLink =
            kind == FopKind.ENTRY_REMOVE
                && (fop.getFop() == Fop.RMDIR || Integer.valueOf(0).equals(fop.getNlink()));
        yield new Notify(entry, lastLink);
      }
      case ENTRY_RENAME -> renamed(inode, event, kind.flags()); // parent is the old parent
      case NO_EFFECT -> NONE;
    };
  }

  private static Effect renamed(Gfid inode, InodeEvent event, int flags) {
    FopRecord fop = event.getFop();
    return switch (event.getRole()) {
      case TARGET -> {
        Invalidation renamed = change(inode, event, flags, null);
        renamed.setParent(fop.getNewParent());
        renamed.setParentStat(fop.getNewParentStat());
        renamed.setOldParent(fop.getParent());
        renamed.setOldParentStat(fop.getParentStat());
        yield notify(renamed);
      }
      case PARENT -> parentTimes(inode, event, fop.getParentStat());
      case NEW_PARENT -> parentTimes(inode, event, fop.getNewParentStat());
      case OVERWRITTEN -> // beyond GlusterFS: it says nothing until the brick drops the inode
          Integer.valueOf(0).equals(fop.getOverwrittenNlink())
              ? new Forget(change(inode, event, FORGET.bit(), null))
              : notify(change(inode, event, FopKind.OVERWRITTEN_FLAGS, null));
      default -> NONE;
    };
  }

  private static Effect xattrChange(Gfid inode, InodeEvent event, int xattrFlag) {
    FopRecord fop = event.getFop();
    if (fop.getXattrs().isEmpty()) {
      return TOUCH; // names nothing, so it matches no client's patterns; the originator still
      // accessed it
    }
    // GlusterFS 10 sends TIMES|XATTR; a record without a post-op stat has no times to tell.
    int flags = xattrFlag | (fop.getStat() != null ? TIMES.bit() : 0);
    Invalidation change = change(inode, event, flags, fop.getStat());
    change.setXattrs(fop.getXattrs());
    return notify(change);
  }

  private static Effect parentTimes(Gfid inode, InodeEvent event, Iatt parentStat) {
    return notify(change(inode, event, FopKind.PARENT_FLAGS, parentStat));
  }

  private static Effect notify(Invalidation change) {
    return new Notify(change, false);
  }

  private static Invalidation change(Gfid inode, InodeEvent event, int flags, Iatt stat) {
    FopRecord fop = event.getFop();
    return Invalidation.newBuilder()
        .setClient("")
        .setGfid(inode)
        .setFlags(flags)
        .setVolume(fop.getVolume())
        .setStat(stat)
        .setParent(null)
        .setParentStat(null)
        .setOldParent(null)
        .setOldParentStat(null)
        .setXattrs(List.of())
        .setExpireTimeSeconds(0)
        .setEventTimeMs(fop.getEventTimeMs())
        .setBrick(fop.getBrick())
        .setCauseFopId(event.getCauseFopId())
        .build();
  }
}
