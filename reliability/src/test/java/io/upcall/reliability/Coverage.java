package io.upcall.reliability;

import static io.upcall.schemas.UpcallFlag.FORGET;
import static io.upcall.schemas.UpcallFlag.MODE;
import static io.upcall.schemas.UpcallFlag.NLINK;
import static io.upcall.schemas.UpcallFlag.OWN;
import static io.upcall.schemas.UpcallFlag.PERM;
import static io.upcall.schemas.UpcallFlag.RENAME;
import static io.upcall.schemas.UpcallFlag.SIZE;
import static io.upcall.schemas.UpcallFlag.TIMES;
import static io.upcall.schemas.UpcallFlag.XATTR;
import static io.upcall.schemas.UpcallFlag.XATTR_RM;
import static io.upcall.schemas.UpcallFlag.mask;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's promise checked without an exact order: every required invalidation is covered by a delivered one
 * to the same client about the same inode, for that change or a later one, whose flags make the cache drop or
 * replace what the change made stale (a drop covers anything; a later stat covers a stat change; xattr flags
 * cover an xattr change). Parent stats are not counted: each parent is told of its own change.
 */
record Coverage(int required, int delivered, List<Told> uncovered) {
  private static final int DROPS = mask(NLINK, RENAME, FORGET);
  private static final int STAT = mask(MODE, OWN, SIZE, TIMES, PERM);
  private static final int XATTRS = mask(XATTR, XATTR_RM);

  static Coverage of(List<Told> required, List<Told> delivered) {
    Map<String, List<Told>> byPair = new HashMap<>();
    delivered.forEach(
        told -> byPair.computeIfAbsent(pair(told), key -> new ArrayList<>()).add(told));
    List<Told> uncovered = new ArrayList<>();
    for (Told needed : required) {
      boolean covered =
          byPair.getOrDefault(pair(needed), List.of()).stream()
              .anyMatch(
                  told ->
                      told.eventTimeMs() >= needed.eventTimeMs()
                          && covers(told.flags(), needed.flags()));
      if (!covered) {
        uncovered.add(needed);
      }
    }
    return new Coverage(required.size(), delivered.size(), uncovered);
  }

  static boolean covers(int told, int needed) {
    if ((told & DROPS) != 0) {
      return true;
    }
    if ((needed & DROPS) != 0) {
      return false;
    }
    return ((needed & STAT) == 0 || (told & STAT) != 0)
        && ((needed & XATTRS) == 0 || (told & XATTRS) != 0);
  }

  private static String pair(Told told) {
    return told.client() + "|" + told.gfid();
  }

  String summary() {
    return "required "
        + required
        + ", delivered "
        + delivered
        + ", uncovered "
        + uncovered.size()
        + (uncovered.isEmpty()
            ? ""
            : "; e.g. " + uncovered.subList(0, Math.min(3, uncovered.size())));
  }
}
