package io.upcall.producers.load;

import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.schemas.Gfids;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One inode of the simulated volume: its attributes, the names it is linked under, and (directories) its entries. */
final class Inode {
  /** A name in a directory that refers to an inode. */
  record Link(Inode parent, String name) {}

  final UUID uuid;
  final Gfid gfid;
  final IaType type;
  int mode;
  int uid;
  int gid;
  long size;
  long atimeMs;
  long mtimeMs;
  long ctimeMs;

  /** Directories have exactly one link (no hard links to directories); files have one per hard link. */
  final List<Link> links = new ArrayList<>(1);

  /** Directory entries in creation order, so a listing is deterministic. Null for non-directories. */
  final Map<String, Inode> children;

  /** Sub-directory count: a directory's nlink is 2 + this. */
  int subdirs;

  /** Extended attributes, in the order they were set. */
  final Map<String, byte[]> xattrs = new LinkedHashMap<>(2);

  /** Position in the namespace's dense list of directories or of files, for O(1) random choice and removal. */
  int index = -1;

  Inode(UUID uuid, IaType type, int mode, int uid, int gid, long nowMs) {
    this.uuid = uuid;
    this.gfid = Gfids.of(uuid);
    this.type = type;
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.atimeMs = nowMs;
    this.mtimeMs = nowMs;
    this.ctimeMs = nowMs;
    this.children = type == IaType.DIR ? new LinkedHashMap<>() : null;
    this.size = type == IaType.DIR ? 4096 : 0;
  }

  boolean isDirectory() {
    return type == IaType.DIR;
  }

  int nlink() {
    return isDirectory() ? 2 + subdirs : links.size();
  }

  /** The directory a directory lives in (the root is its own parent, as in POSIX). */
  Inode parentDirectory() {
    return links.isEmpty() ? this : links.get(0).parent();
  }

  void touchModified(long nowMs) {
    mtimeMs = Math.max(mtimeMs, nowMs);
    ctimeMs = Math.max(ctimeMs, nowMs);
  }

  void touchChanged(long nowMs) {
    ctimeMs = Math.max(ctimeMs, nowMs);
  }

  /** The stat a brick would return for this inode now. */
  Iatt stat() {
    return Iatt.newBuilder()
        .setType(type)
        .setMode(mode)
        .setUid(uid)
        .setGid(gid)
        .setNlink(nlink())
        .setSize(size)
        .setBlocks((size + 511) / 512)
        .setAtimeSec(Math.floorDiv(atimeMs, 1000))
        .setAtimeNsec(nanos(atimeMs))
        .setMtimeSec(Math.floorDiv(mtimeMs, 1000))
        .setMtimeNsec(nanos(mtimeMs))
        .setCtimeSec(Math.floorDiv(ctimeMs, 1000))
        .setCtimeNsec(nanos(ctimeMs))
        .build();
  }

  private static int nanos(long ms) {
    return (int) Math.floorMod(ms, 1000L) * 1_000_000;
  }
}
