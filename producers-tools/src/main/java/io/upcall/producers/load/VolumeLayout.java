package io.upcall.producers.load;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Which bricks hold an inode: a distributed-replicated volume of {@code bricks / replicas} replica sets.
 * An inode lives on one replica set (chosen by gfid hash, as DHT places a file); every brick of the set
 * completes a modifying fop, one brick of it (chosen by gfid hash, AFR's default read policy) serves reads.
 */
final class VolumeLayout {
  private final List<String> bricks;
  private final int replicas;
  private final int sets;

  VolumeLayout(String volume, int brickCount, int replicas) {
    List<String> names = new ArrayList<>(brickCount);
    for (int i = 1; i <= brickCount; i++) {
      names.add("server" + i + ":/bricks/" + volume + "/brick" + i);
    }
    this.bricks = List.copyOf(names);
    this.replicas = replicas;
    this.sets = brickCount / replicas;
  }

  /** Every brick id, e.g. {@code server1:/bricks/vol0/brick1}. */
  List<String> bricks() {
    return bricks;
  }

  /** The bricks that complete a modifying fop on {@code gfid}. */
  List<String> replicaSet(UUID gfid) {
    int set = Math.floorMod(mix(gfid), sets);
    return bricks.subList(set * replicas, set * replicas + replicas);
  }

  /** The brick that serves reads of {@code gfid}. */
  String readBrick(UUID gfid) {
    List<String> set = replicaSet(gfid);
    return set.get(Math.floorMod(Long.hashCode(gfid.getMostSignificantBits() >>> 7), replicas));
  }

  private static int mix(UUID gfid) {
    long h = gfid.getMostSignificantBits() ^ gfid.getLeastSignificantBits() * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
