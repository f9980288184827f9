package io.upcall.producers.load;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.schemas.Gfids;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An independent model of a volume's tree rebuilt only from fop records, which fails on the first record a
 * real brick could not have produced. Names are not in the records, so a directory is a multiset of child
 * gfids and an inode a multiset of parent gfids.
 */
final class ReplayedTree {
  private static final UUID ROOT = new UUID(0, 1);

  private static final class Node {
    final IaType type;
    final List<UUID> parents = new ArrayList<>();
    final Map<UUID, Integer> children = new HashMap<>();
    int subdirs;
    long size;
    long ctimeMs;

    Node(IaType type) {
      this.type = type;
    }

    int nlink() {
      return type == IaType.DIR ? 2 + subdirs : parents.size();
    }
  }

  private final Map<UUID, Node> nodes = new HashMap<>();
  private final Map<Fop, Integer> applied = new EnumMap<>(Fop.class);
  private int renamesOverExisting;
  private int unlinksOfHardLinkedFiles;
  private int renamesOfDirectories;
  private long listedEntries;

  ReplayedTree() {
    nodes.put(ROOT, new Node(IaType.DIR));
  }

  /** Applies one fop, given as the records of all its replicas, or throws AssertionError naming the problem. */
  void apply(List<FopRecord> replicas) {
    FopRecord r = replicas.get(0);
    for (FopRecord other : replicas) {
      check(sameExceptBrick(r, other), r, "replicas differ: " + other);
    }
    check(
        replicas.stream().map(FopRecord::getBrick).distinct().count() == replicas.size(),
        r,
        "two replicas from one brick");
    if (replicas.size() > 1) {
      check(
          r.getTxId() != null && r.getTxId().startsWith(r.getClient() + "#"),
          r,
          "replicas need a txId");
    }
    UUID gfid = uuid(r.getGfid());
    Node node = nodes.get(gfid);
    switch (r.getFop()) {
      case CREATE, MKNOD, SYMLINK, MKDIR -> {
        check(node == null, r, "created gfid already exists");
        Node parent = directory(r, r.getParent(), "parent");
        IaType type =
            switch (r.getFop()) {
              case MKDIR -> IaType.DIR;
              case SYMLINK -> IaType.LNK;
              case MKNOD -> IaType.FIFO;
              default -> IaType.REG;
            };
        node = new Node(type);
        nodes.put(gfid, node);
        addLink(uuid(r.getParent()), parent, gfid, node);
        checkStat(r, r.getParentStat(), parent, "parentStat");
      }
      case UNLINK -> {
        check(node != null, r, "unlinked gfid does not exist");
        check(node.type != IaType.DIR, r, "UNLINK of a directory");
        if (node.parents.size() > 1) {
          unlinksOfHardLinkedFiles++;
        }
        removeLink(r, uuid(r.getParent()), gfid, node);
        check(
            r.getNlink() != null && r.getNlink() == node.nlink(),
            r,
            "nlink " + r.getNlink() + " but " + node.nlink() + " links remain");
        check(
            (r.getStat() == null) == (node.nlink() == 0),
            r,
            "stat must be absent exactly when the inode is gone");
        checkStat(r, r.getParentStat(), nodes.get(uuid(r.getParent())), "parentStat");
        if (node.nlink() == 0) {
          nodes.remove(gfid);
        }
      }
      case RMDIR -> {
        check(
            node != null && node.type == IaType.DIR,
            r,
            "RMDIR of something that is not a directory");
        check(node.children.isEmpty(), r, "RMDIR of a non-empty directory");
        check(!gfid.equals(ROOT), r, "RMDIR of the root");
        removeLink(r, uuid(r.getParent()), gfid, node);
        nodes.remove(gfid);
        checkStat(r, r.getParentStat(), nodes.get(uuid(r.getParent())), "parentStat");
      }
      case LINK -> {
        check(node != null && node.type == IaType.REG, r, "LINK of a missing or non-regular inode");
        Node parent = directory(r, r.getParent(), "parent");
        addLink(uuid(r.getParent()), parent, gfid, node);
        check(r.getNlink() != null && r.getNlink() == node.nlink(), r, "nlink after LINK");
        checkStat(r, r.getParentStat(), parent, "parentStat");
      }
      case RENAME -> {
        check(node != null, r, "renamed gfid does not exist");
        check(!gfid.equals(ROOT), r, "RENAME of the root");
        Node newParent = directory(r, r.getNewParent(), "newParent");
        if (node.type == IaType.DIR) {
          renamesOfDirectories++;
          for (UUID d = uuid(r.getNewParent()); !d.equals(ROOT); d = nodes.get(d).parents.get(0)) {
            check(!d.equals(gfid), r, "directory moved below itself");
          }
        }
        if (r.getOverwritten() != null) {
          renamesOverExisting++;
          UUID victim = uuid(r.getOverwritten());
          Node overwritten = nodes.get(victim);
          check(
              overwritten != null && !victim.equals(gfid),
              r,
              "overwritten inode missing or the renamed one");
          check(
              overwritten.type != IaType.DIR && node.type != IaType.DIR, r, "directory overwrite");
          removeLink(r, uuid(r.getNewParent()), victim, overwritten);
          check(
              r.getOverwrittenNlink() != null && r.getOverwrittenNlink() == overwritten.nlink(),
              r,
              "overwrittenNlink");
          if (overwritten.nlink() == 0) {
            nodes.remove(victim);
          }
        }
        removeLink(r, uuid(r.getParent()), gfid, node);
        addLink(uuid(r.getNewParent()), newParent, gfid, node);
        checkStat(r, r.getParentStat(), nodes.get(uuid(r.getParent())), "parentStat");
        checkStat(r, r.getNewParentStat(), newParent, "newParentStat");
      }
      case READDIRP, OPENDIR -> {
        check(
            node != null && node.type == IaType.DIR,
            r,
            r.getFop() + " of something that is not a directory");
        Map<UUID, Integer> seen = new HashMap<>();
        for (Gfid entry : r.getEntries()) {
          UUID child = uuid(entry);
          int times = seen.merge(child, 1, Integer::sum);
          check(
              times <= node.children.getOrDefault(child, 0),
              r,
              "READDIRP lists " + child + " which is not an entry");
        }
        listedEntries += r.getEntries().size();
      }
      case READ, OPEN, WRITE, TRUNCATE, FTRUNCATE, FALLOCATE, ZEROFILL, DISCARD -> {
        check(
            node != null && node.type == IaType.REG,
            r,
            r.getFop() + " of a missing or non-regular inode");
        long before = node.size;
        node.size = r.getStat().getSize();
        if (r.getFop() == Fop.WRITE || r.getFop() == Fop.FALLOCATE) {
          check(node.size >= before, r, "a write shrank the file");
        } else if (r.getFop() == Fop.ZEROFILL
            || r.getFop() == Fop.DISCARD
            || r.getFop() == Fop.READ) {
          check(node.size == before, r, r.getFop() + " changed the size");
        }
      }
      case READLINK ->
          check(node != null && node.type == IaType.LNK, r, "READLINK of a non-symlink");
      default -> check(node != null, r, r.getFop() + " of a gfid that does not exist");
    }
    if (r.getStat() != null) {
      Node now = nodes.get(gfid);
      checkStat(r, r.getStat(), now, "stat");
      long ctimeMs = r.getStat().getCtimeSec() * 1000 + r.getStat().getCtimeNsec() / 1_000_000;
      check(ctimeMs >= now.ctimeMs, r, "ctime went back");
      now.ctimeMs = ctimeMs;
      if (isDataChange(r.getFop())) {
        check(
            r.getStat().getMtimeSec() == Math.floorDiv(r.getEventTimeMs(), 1000),
            r,
            "mtime is not the event time");
      }
    }
    applied.merge(r.getFop(), 1, Integer::sum);
  }

  Map<Fop, Integer> applied() {
    return applied;
  }

  int renamesOverExisting() {
    return renamesOverExisting;
  }

  int unlinksOfHardLinkedFiles() {
    return unlinksOfHardLinkedFiles;
  }

  int renamesOfDirectories() {
    return renamesOfDirectories;
  }

  long listedEntries() {
    return listedEntries;
  }

  int inodes() {
    return nodes.size();
  }

  private static boolean isDataChange(Fop fop) {
    return switch (fop) {
      case WRITE, TRUNCATE, FTRUNCATE, FALLOCATE, ZEROFILL, DISCARD -> true;
      default -> false;
    };
  }

  private Node directory(FopRecord r, Gfid gfid, String field) {
    check(gfid != null, r, field + " missing");
    Node node = nodes.get(uuid(gfid));
    check(node != null && node.type == IaType.DIR, r, field + " is not an existing directory");
    return node;
  }

  private static void addLink(UUID parentId, Node parent, UUID childId, Node child) {
    parent.children.merge(childId, 1, Integer::sum);
    child.parents.add(parentId);
    if (child.type == IaType.DIR) {
      parent.subdirs++;
    }
  }

  private void removeLink(FopRecord r, UUID parentId, UUID childId, Node child) {
    Node parent = nodes.get(parentId);
    check(
        parent != null
            && parent.children.getOrDefault(childId, 0) > 0
            && child.parents.remove(parentId),
        r,
        "no entry for " + childId + " in " + parentId);
    parent.children.merge(childId, -1, (a, b) -> a + b == 0 ? null : a + b);
    if (child.type == IaType.DIR) {
      parent.subdirs--;
    }
  }

  private static void checkStat(FopRecord r, Iatt stat, Node node, String field) {
    check(stat != null, r, field + " missing");
    check(
        stat.getType() == node.type,
        r,
        field + " type " + stat.getType() + " but the inode is a " + node.type);
    check(
        stat.getNlink() == node.nlink(),
        r,
        field + " nlink " + stat.getNlink() + " but the tree says " + node.nlink());
  }

  private static boolean sameExceptBrick(FopRecord a, FopRecord b) {
    FopRecord copy = FopRecord.newBuilder(b).setBrick(a.getBrick()).setFopId(a.getFopId()).build();
    return copy.equals(a);
  }

  private static UUID uuid(Gfid gfid) {
    return Gfids.toUuid(gfid);
  }

  private static void check(boolean condition, FopRecord r, String problem) {
    if (!condition) {
      throw new AssertionError(problem + " in " + r);
    }
  }
}
