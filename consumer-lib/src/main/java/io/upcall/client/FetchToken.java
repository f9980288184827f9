package io.upcall.client;

import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import java.util.UUID;

/**
 * Proof of when a fetch from the server began, taken with {@link MetadataCache#beginFetch(Gfid)} before asking
 * the server; the cache refuses the fetched value if the inode was invalidated since.
 */
public final class FetchToken {
  final MetadataCache owner;
  final UUID inode;
  final long epoch;
  final long generation;
  final long startedAtNanos;

  FetchToken(MetadataCache owner, UUID inode, long epoch, long generation, long startedAtNanos) {
    this.owner = owner;
    this.inode = inode;
    this.epoch = epoch;
    this.generation = generation;
    this.startedAtNanos = startedAtNanos;
  }

  /** The inode this fetch is for. */
  public Gfid gfid() {
    return Gfids.of(inode);
  }

  @Override
  public String toString() {
    return "FetchToken[" + inode + ", epoch " + epoch + ", generation " + generation + "]";
  }
}
