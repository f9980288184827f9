package io.upcall.client;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.producers.BrickPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The truth: a brick's view of some files. Like a brick deciding under its per-inode lock, it changes or reads a
 * file and publishes the fop in one step, so event-time order is the order of the changes. It remembers every
 * version with the wall-clock time it was replaced, to judge whether a cached answer was stale beyond a bound.
 */
final class FileServer {
  private static final AtomicLong FOP_IDS = new AtomicLong();

  private final BrickPublisher brick;
  private final Map<Gfid, List<Version>> files = new ConcurrentHashMap<>();
  private final Map<String, Long> publishedAtNanos = new ConcurrentHashMap<>();

  /** One version of a file's stat: ctime names it; replacedAtMs is when the next change happened. */
  record Version(Iatt stat, long changedAtMs, long replacedAtMs) {}

  FileServer(BrickPublisher brick) {
    this.brick = brick;
  }

  /** Creates {@code gfid} (no fop: the file predates the test). */
  void create(Gfid gfid) {
    files.put(
        gfid,
        new ArrayList<>(
            List.of(new Version(stat(1, 0), System.currentTimeMillis(), Long.MAX_VALUE))));
  }

  /** A LOOKUP by {@code client}: returns the current stat and registers the access with the pipeline. */
  Iatt lookup(String client, Gfid gfid) {
    List<Version> versions = files.get(gfid);
    synchronized (versions) {
      publish(Fop.LOOKUP, client, gfid, null);
      return versions.get(versions.size() - 1).stat();
    }
  }

  /** A WRITE by {@code client} changing the size; returns the post-op stat and the fop id it was published as. */
  Written write(String client, Gfid gfid, long size) {
    return write(client, gfid, size, true);
  }

  /** A WRITE whose record carries the post-op stat or, like a trace, none (clients then drop what they cached). */
  Written write(String client, Gfid gfid, long size, boolean carryStat) {
    List<Version> versions = files.get(gfid);
    synchronized (versions) {
      Version current = versions.get(versions.size() - 1);
      long now = System.currentTimeMillis();
      Iatt next = stat(current.stat().getCtimeSec() + 1, size);
      versions.set(versions.size() - 1, new Version(current.stat(), current.changedAtMs(), now));
      versions.add(new Version(next, now, Long.MAX_VALUE));
      String fopId = publish(Fop.WRITE, client, gfid, carryStat ? next : null);
      return new Written(next, fopId);
    }
  }

  record Written(Iatt stat, String fopId) {}

  /** The version a cached stat is (by ctime), or null when the server never had it. */
  Version versionOf(Gfid gfid, Iatt cached) {
    List<Version> versions = files.get(gfid);
    synchronized (versions) {
      for (Version version : versions) {
        if (version.stat().getCtimeSec() == cached.getCtimeSec()) {
          return version;
        }
      }
      return null;
    }
  }

  /** When the fop with this id was handed to the brick publisher (System.nanoTime). */
  Long publishedAtNanos(String fopId) {
    return publishedAtNanos.get(fopId);
  }

  private String publish(Fop fop, String client, Gfid gfid, Iatt stat) {
    String fopId = "fop-" + FOP_IDS.incrementAndGet();
    FopRecord record =
        FopRecord.newBuilder()
            .setVolume("")
            .setBrick("")
            .setFop(fop)
            .setClient(client)
            .setGfid(gfid)
            .setEventTimeMs(0) // stamped by the publisher at hand-off, so no heartbeat overtakes it
            .setFopId(fopId)
            .setStat(stat)
            .build();
    publishedAtNanos.put(fopId, System.nanoTime());
    brick.publish(record);
    return fopId;
  }

  static Iatt stat(long ctimeSec, long size) {
    return Iatt.newBuilder()
        .setType(IaType.REG)
        .setMode(0644)
        .setUid(0)
        .setGid(0)
        .setNlink(1)
        .setSize(size)
        .setBlocks((size + 511) / 512)
        .setAtimeSec(ctimeSec)
        .setAtimeNsec(0)
        .setMtimeSec(ctimeSec)
        .setMtimeNsec(0)
        .setCtimeSec(ctimeSec)
        .setCtimeNsec(0)
        .build();
  }
}
