package io.upcall.schemas;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The contract every {@link FopRecord} must meet before the pipeline acts on it; checked by the brick publisher
 * before sending and by the streams app before processing (which dead-letters what breaks it).
 */
public final class FopContract {
  private static final Set<Fop> NEED_PARENT =
      EnumSet.of(
          Fop.CREATE,
          Fop.MKNOD,
          Fop.MKDIR,
          Fop.SYMLINK,
          Fop.UNLINK,
          Fop.RMDIR,
          Fop.LINK,
          Fop.RENAME);
  private static final Set<Fop> NEED_XATTRS =
      EnumSet.of(Fop.SETXATTR, Fop.FSETXATTR, Fop.REMOVEXATTR, Fop.FREMOVEXATTR);

  private FopContract() {}

  /** What is wrong with {@code fop}, naming the field; empty when it meets the contract. */
  public static Optional<String> violation(FopRecord fop) {
    return Optional.ofNullable(firstViolation(fop));
  }

  /**
   * Returns normally when {@code fop} meets the contract.
   *
   * @throws IllegalArgumentException whose message names the field that breaks it
   */
  public static void check(FopRecord fop) {
    String violation = firstViolation(fop);
    if (violation != null) {
      throw new IllegalArgumentException(violation);
    }
  }

  private static String firstViolation(FopRecord fop) {
    if (fop == null) {
      return "the fop record is missing";
    }
    String gfid = gfidViolation("gfid", fop.getGfid(), true);
    if (gfid != null) {
      return gfid;
    }
    if (fop.getClient() == null || fop.getClient().isEmpty()) {
      return "client must not be empty";
    }
    if (fop.getBrick() == null || fop.getBrick().isEmpty()) {
      return "brick must not be empty";
    }
    if (fop.getFop() == null) {
      return "fop is missing";
    }
    if (fop.getFop() == Fop.UNKNOWN) {
      return "fop must not be UNKNOWN (a fop this version does not know)";
    }
    if (NEED_PARENT.contains(fop.getFop()) && fop.getParent() == null) {
      return "parent is required for " + fop.getFop();
    }
    if (fop.getFop() == Fop.RENAME && fop.getNewParent() == null) {
      return "newParent is required for RENAME";
    }
    String related =
        firstNonNull(
            gfidViolation("parent", fop.getParent(), false),
            gfidViolation("newParent", fop.getNewParent(), false),
            gfidViolation("overwritten", fop.getOverwritten(), false));
    if (related != null) {
      return related;
    }
    if (NEED_XATTRS.contains(fop.getFop())
        && (fop.getXattrs() == null || fop.getXattrs().isEmpty())) {
      return "xattrs must name at least one xattr for " + fop.getFop();
    }
    if (fop.getEventTimeMs() <= 0) {
      return "eventTimeMs must be > 0, was " + fop.getEventTimeMs();
    }
    if (fop.getNlink() != null && fop.getNlink() < 0) {
      return "nlink must be >= 0, was " + fop.getNlink();
    }
    if (fop.getOverwrittenNlink() != null) {
      if (fop.getOverwritten() == null) {
        return "overwrittenNlink is set without overwritten";
      }
      if (fop.getOverwrittenNlink() < 0) {
        return "overwrittenNlink must be >= 0, was " + fop.getOverwrittenNlink();
      }
    }
    return null;
  }

  private static String gfidViolation(String field, Gfid gfid, boolean required) {
    if (gfid == null) {
      return required ? field + " is missing" : null;
    }
    byte[] bytes = gfid.bytes();
    if (bytes == null || bytes.length != 16) {
      return field + " must be 16 bytes, was " + (bytes == null ? "null" : bytes.length);
    }
    if (required) {
      for (byte b : bytes) {
        if (b != 0) {
          return null;
        }
      }
      return field + " must not be the all-zero (null) gfid";
    }
    return null;
  }

  private static String firstNonNull(String... values) {
    for (String value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }
}
