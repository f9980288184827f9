package io.upcall.producers.load;

import io.upcall.avro.IaType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The directory tree of the simulated volume. Every mutation keeps links, entries and link counts consistent,
 * so the fops generated from it are ones a real brick could have completed.
 */
final class Namespace {
  /** GlusterFS's fixed gfid of a volume's root directory. */
  static final UUID ROOT_GFID = new UUID(0L, 1L);

  private final Inode root;

  /** Every directory, root included; dense so a uniform or ranked choice is O(1). */
  private final List<Inode> directories = new ArrayList<>();

  /** Every non-directory (regular files and symlinks). */
  private final List<Inode> files = new ArrayList<>();

  Namespace(long nowMs) {
    root = new Inode(ROOT_GFID, IaType.DIR, 0755, 0, 0, nowMs);
    add(directories, root);
  }

  Inode root() {
    return root;
  }

  int directoryCount() {
    return directories.size();
  }

  int fileCount() {
    return files.size();
  }

  Inode directory(int index) {
    return directories.get(index);
  }

  Inode file(int index) {
    return files.get(index);
  }

  /** Creates an inode under {@code parent} with the given name, which must be free. */
  Inode create(
      Inode parent, String name, UUID uuid, IaType type, int mode, int uid, int gid, long nowMs) {
    Inode inode = new Inode(uuid, type, mode, uid, gid, nowMs);
    link(parent, name, inode, nowMs);
    add(inode.isDirectory() ? directories : files, inode);
    return inode;
  }

  /** Adds a name for an existing inode (a hard link, or the destination of a rename). */
  void link(Inode parent, String name, Inode inode, long nowMs) {
    if (!parent.isDirectory()) {
      throw new IllegalStateException("not a directory: " + parent.uuid);
    }
    if (parent.children.putIfAbsent(name, inode) != null) {
      throw new IllegalStateException("entry exists: " + parent.uuid + "/" + name);
    }
    inode.links.add(new Inode.Link(parent, name));
    if (inode.isDirectory()) {
      parent.subdirs++;
    }
    parent.touchModified(nowMs);
    inode.touchChanged(nowMs);
  }

  /**
   * Removes one name of an inode; when that was its last name the inode is gone from the volume.
   *
   * @return the inode's link count afterwards
   */
  int unlink(Inode.Link link, Inode inode, long nowMs) {
    Inode parent = link.parent();
    if (parent.children.get(link.name()) != inode || !inode.links.remove(link)) {
      throw new IllegalStateException("no such entry: " + parent.uuid + "/" + link.name());
    }
    parent.children.remove(link.name());
    if (inode.isDirectory()) {
      parent.subdirs--;
    }
    parent.touchModified(nowMs);
    inode.touchChanged(nowMs);
    if (inode.links.isEmpty()) {
      remove(inode.isDirectory() ? directories : files, inode);
      return 0;
    }
    return inode.nlink();
  }

  /** Moves one name of an inode to another directory entry, which must be free (a rename). */
  void move(Inode.Link from, Inode.Link to, Inode inode, long nowMs) {
    Inode parent = from.parent();
    if (parent.children.get(from.name()) != inode || !inode.links.remove(from)) {
      throw new IllegalStateException("no such entry: " + parent.uuid + "/" + from.name());
    }
    parent.children.remove(from.name());
    if (inode.isDirectory()) {
      parent.subdirs--;
    }
    parent.touchModified(nowMs);
    link(to.parent(), to.name(), inode, nowMs);
  }

  /** Whether {@code candidate} is {@code directory} or lies below it (a directory cannot move there). */
  boolean isWithin(Inode candidate, Inode directory) {
    for (Inode d = candidate; ; d = d.parentDirectory()) {
      if (d == directory) {
        return true;
      }
      if (d == root) {
        return false;
      }
    }
  }

  private static void add(List<Inode> list, Inode inode) {
    inode.index = list.size();
    list.add(inode);
  }

  /** Swap-remove: the last element takes the removed one's rank, which keeps the list dense. */
  private static void remove(List<Inode> list, Inode inode) {
    Inode last = list.remove(list.size() - 1);
    if (last != inode) {
      last.index = inode.index;
      list.set(inode.index, last);
    }
    inode.index = -1;
  }
}
