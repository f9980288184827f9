package io.upcall.streams;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.Gfids;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;

/**
 * Fans a fop out into one {@link InodeEvent} per inode it concerns, keyed by that inode's gfid, so that each
 * inode's decision is taken where its state lives. Fops with no effect are not sent on at all.
 */
final class PerInodeFanOut {
  private PerInodeFanOut() {}

  /** The per-inode events of {@code checked}; none for a rejected record. */
  static List<KeyValue<String, InodeEvent>> events(byte[] key, CheckedFop checked) {
    if (!(checked instanceof CheckedFop.Accepted)) {
      return List.of();
    }
    CheckedFop.Accepted accepted = (CheckedFop.Accepted) checked;
    FopRecord fop = accepted.fop();
    String cause = accepted.causeFopId();
    List<KeyValue<String, InodeEvent>> events = new ArrayList<>(2);
    switch (fop.getFop()) {
      case LOOKUP: case STAT: case FSTAT: case ACCESS: case READ: case READLINK: case OPEN: case OPENDIR:
      case STATFS: case LK: case SEEK: case GETXATTR: case FGETXATTR: case READDIR:
      case WRITE: case TRUNCATE: case FTRUNCATE: case FALLOCATE: case DISCARD: case ZEROFILL:
      case PUT: case COPY_FILE_RANGE: case SETATTR: case FSETATTR:
      case SETXATTR: case FSETXATTR: case REMOVEXATTR: case FREMOVEXATTR:
        add(events, fop.getGfid(), InodeRole.TARGET, fop, cause);
        break;
      case READDIRP: {
        // Every entry's event would otherwise carry the whole listing; a touch needs none of it.
        FopRecord listing = FopRecord.newBuilder(fop).setEntries(List.of()).build();
        add(events, fop.getGfid(), InodeRole.TARGET, listing, cause);
        Set<Gfid> entries = new LinkedHashSet<>(fop.getEntries());
        entries.remove(fop.getGfid()); // "." is the directory itself
        for (Gfid entry : entries) {
          add(events, entry, InodeRole.LISTED_ENTRY, listing, cause);
        }
        break;
      }
      case CREATE: case MKNOD: case MKDIR: case SYMLINK: case UNLINK: case RMDIR: case LINK:
        add(events, fop.getGfid(), InodeRole.TARGET, fop, cause);
        add(events, fop.getParent(), InodeRole.PARENT, fop, cause);
        break;
      case RENAME:
        add(events, fop.getGfid(), InodeRole.TARGET, fop, cause);
        add(events, fop.getParent(), InodeRole.PARENT, fop, cause);
        if (!fop.getNewParent().equals(fop.getParent())) {
          add(events, fop.getNewParent(), InodeRole.NEW_PARENT, fop, cause);
        }
        if (fop.getOverwritten() != null) {
          add(events, fop.getOverwritten(), InodeRole.OVERWRITTEN, fop, cause);
        }
        break;
      default: // FLUSH, FSYNC, locks, leases, XATTROP: no effect, so no event
        break;
    }
    return events;
  }

  private static void add(List<KeyValue<String, InodeEvent>> events, Gfid inode, InodeRole role, FopRecord fop,
      String cause) {
    events.add(KeyValue.pair(Gfids.format(inode), new InodeEvent(role, fop, cause)));
  }
}
