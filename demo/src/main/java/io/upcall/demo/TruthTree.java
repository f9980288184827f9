package io.upcall.demo;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.Gfids;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The demo's shared tree, as its bricks see it, and the truth every cached answer is judged against. Like a brick
 * deciding under its inode locks, each operation reads or changes the tree and hands the fop to the brick's
 * publisher in one step (one lock for the whole tree keeps that simple). Every version of every inode is kept
 * with the event time it was replaced, so a cached stat can be told apart as current, replaced within the
 * staleness bound, or stale: replaced longer than the bound before it was served.
 *
 * <p>Versions are named by ctime (milliseconds), which moves on every change because event times on one inode
 * strictly increase.
 */
final class TruthTree implements AutoCloseable {
  static final String VOLUME = "demo";
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** The volume's cache-invalidation-timeout: no cache keeps an entry longer after fetching it. */
  private static final Duration INVALIDATION_TIMEOUT = Duration.ofSeconds(60);

  private static final long TREE_SEED_SALT = 0x7570_6361_6c6c_7472L;

  /** What a cached answer was when it was served. */
  enum Verdict {
    /** It was the inode's stat at that moment. */
    CURRENT,
    /** It had been replaced, but for no longer than the staleness bound: the product allows that. */
    WITHIN_BOUND,
    /** It had been replaced for longer than the staleness bound, or was never the inode's stat: a bug. */
    STALE
  }

  /** A verdict and, for a stale answer, what was wrong with it. */
  record Check(Verdict verdict, String detail) {}

  private record Version(Iatt stat, long replacedAtMs) {}

  /** One inode: its current stat, the versions it had, and when it went (unlinked). Guarded by the tree's lock. */
  private static final class Inode {
    final UUID uuid;
    final Gfid gfid;
    final boolean directory;
    final UUID parent;
    final TreeMap<Long, Version> versions = new TreeMap<>();
    Iatt current;
    long lastEventMs;
    long goneAtMs = Long.MAX_VALUE;
    long prunedBeforeCtimeMs = Long.MIN_VALUE;

    Inode(UUID uuid, boolean directory, UUID parent, Iatt stat, long eventMs) {
      this.uuid = uuid;
      this.gfid = Gfids.of(uuid);
      this.directory = directory;
      this.parent = parent;
      this.current = stat;
      this.lastEventMs = eventMs;
      versions.put(ctimeMs(stat), new Version(stat, Long.MAX_VALUE));
    }

    void replace(Iatt next, long atMs) {
      versions.put(ctimeMs(current), new Version(current, atMs));
      versions.put(ctimeMs(next), new Version(next, Long.MAX_VALUE));
      current = next;
      lastEventMs = atMs;
    }

    void remove(long atMs) {
      versions.put(ctimeMs(current), new Version(current, atMs));
      goneAtMs = atMs;
      lastEventMs = atMs;
    }
  }

  /** Live inodes in a dense list, so a uniform pick and a removal are both O(1). */
  private static final class LiveSet {
    private final List<UUID> members = new ArrayList<>();
    private final Map<UUID, Integer> index = new HashMap<>();

    void add(UUID uuid) {
      index.put(uuid, members.size());
      members.add(uuid);
    }

    void remove(UUID uuid) {
      Integer at = index.remove(uuid);
      UUID last = members.remove(members.size() - 1);
      if (!last.equals(uuid)) {
        members.set(at, last);
        index.put(last, at);
      }
    }

    UUID pick(SplittableRandom random) {
      return members.get(random.nextInt(members.size()));
    }

    int size() {
      return members.size();
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final EventClock clock;
  private final List<BrickPublisher> bricks;
  private final LatencyProbe probe;
  private final long boundMs;
  private final long retentionMs;
  private final SplittableRandom random;
  private final Map<UUID, Inode> inodes = new HashMap<>();
  private final LiveSet files = new LiveSet();
  private final LiveSet directories = new LiveSet();
  private final String fopIdPrefix;
  private long fopSequence;

  private final LongAdder published = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  /**
   * A tree of {@code directoryCount} directories under a root, with {@code fileCount} files spread over them, that
   * existed before the demo (no fops for them). Its fops go to {@code bricks}, each inode to one brick by gfid.
   */
  TruthTree(
      EventClock clock,
      List<BrickPublisher> bricks,
      LatencyProbe probe,
      Duration stalenessBound,
      int directoryCount,
      int fileCount,
      long seed) {
    this.clock = clock;
    this.bricks = List.copyOf(bricks);
    this.probe = probe;
    this.boundMs = stalenessBound.toMillis();
    this.retentionMs = Math.max(2 * INVALIDATION_TIMEOUT.toMillis(), 10 * boundMs);
    // Not the load generator's sequence for the same seed: the two trees must not share a gfid.
    this.random = new SplittableRandom(seed ^ TREE_SEED_SALT);
    this.fopIdPrefix =
        "demo-" + Long.toHexString(seed) + "-" + Long.toHexString(System.nanoTime()) + "-";
    long now = clock.stamp(Long.MIN_VALUE + 1);
    Inode root =
        add(new Inode(newGfid(), true, null, directory(0755, 2 + directoryCount, now, now), now));
    List<UUID> parents = new ArrayList<>();
    for (int i = 0; i < directoryCount; i++) {
      parents.add(
          add(new Inode(newGfid(), true, root.uuid, directory(0755, 2, now, now), now)).uuid);
    }
    for (int i = 0; i < fileCount; i++) {
      UUID parent = parents.isEmpty() ? root.uuid : parents.get(i % parents.size());
      add(
          new Inode(
              newGfid(), false, parent, file(0644, 4096L * random.nextInt(1, 64), now, now), now));
    }
  }

  // ---- picking targets (callers pass their own random source)

  /** A live inode to look up: a file four times out of five, else a directory. */
  Gfid pickForRead(SplittableRandom choice) {
    lock.lock();
    try {
      LiveSet from = files.size() > 0 && choice.nextInt(5) > 0 ? files : directories;
      return inodes.get(from.pick(choice)).gfid;
    } finally {
      lock.unlock();
    }
  }

  int fileCount() {
    lock.lock();
    try {
      return files.size();
    } finally {
      lock.unlock();
    }
  }

  // ---- fops: each reads or changes the truth and publishes the fop in one step

  /** A LOOKUP by {@code client}: the stat the brick returns, empty when the inode is gone (ENOENT, no fop). */
  Optional<Iatt> lookup(String client, Gfid gfid) {
    lock.lock();
    try {
      Inode inode = inodes.get(Gfids.toUuid(gfid));
      if (inode == null || inode.goneAtMs != Long.MAX_VALUE) {
        return Optional.empty();
      }
      long t = clock.stamp(inode.lastEventMs);
      inode.lastEventMs = t;
      publish(inode.uuid, fop(Fop.LOOKUP, client, inode.gfid, t).setStat(inode.current), t, false);
      return Optional.of(Iatt.newBuilder(inode.current).build());
    } finally {
      lock.unlock();
    }
  }

  /** A WRITE by {@code client} to a random file: size, mtime and ctime change. Returns the inode changed. */
  Optional<Gfid> write(String client, SplittableRandom choice) {
    lock.lock();
    try {
      if (files.size() == 0) {
        return Optional.empty();
      }
      Inode inode = inodes.get(files.pick(choice));
      long t = clock.stamp(inode.lastEventMs);
      Iatt was = inode.current;
      Iatt next = file(was.getMode(), was.getSize() + 512L * choice.nextInt(1, 32), t, t);
      inode.replace(next, t);
      publish(inode.uuid, fop(Fop.WRITE, client, inode.gfid, t).setStat(next), t, true);
      return Optional.of(inode.gfid);
    } finally {
      lock.unlock();
    }
  }

  /** A SETATTR (chmod) by {@code client} on a random live inode: the mode bits and ctime change. */
  Optional<Gfid> chmod(String client, SplittableRandom choice) {
    lock.lock();
    try {
      LiveSet from = files.size() > 0 && choice.nextInt(4) > 0 ? files : directories;
      Inode inode = inodes.get(from.pick(choice));
      long t = clock.stamp(inode.lastEventMs);
      Iatt next =
          Iatt.newBuilder(inode.current)
              .setMode(inode.current.getMode() ^ 0020)
              .setCtimeSec(Math.floorDiv(t, 1000))
              .setCtimeNsec(nanos(t))
              .build();
      inode.replace(next, t);
      publish(
          inode.uuid,
          fop(Fop.SETATTR, client, inode.gfid, t).setStat(next).setModeChanged(true),
          t,
          true);
      return Optional.of(inode.gfid);
    } finally {
      lock.unlock();
    }
  }

  /** A CREATE by {@code client} of a new file in a random directory; returns the directory, whose times change. */
  Optional<Gfid> create(String client, SplittableRandom choice) {
    lock.lock();
    try {
      Inode parent = inodes.get(directories.pick(choice));
      long t = clock.stamp(parent.lastEventMs);
      Inode created = add(new Inode(newGfid(), false, parent.uuid, file(0644, 0, t, t), t));
      Iatt parentStat =
          Iatt.newBuilder(parent.current)
              .setMtimeSec(Math.floorDiv(t, 1000))
              .setMtimeNsec(nanos(t))
              .setCtimeSec(Math.floorDiv(t, 1000))
              .setCtimeNsec(nanos(t))
              .build();
      parent.replace(parentStat, t);
      publish(
          created.uuid,
          fop(Fop.CREATE, client, created.gfid, t)
              .setParent(parent.gfid)
              .setStat(created.current)
              .setParentStat(parentStat),
          t,
          true);
      return Optional.of(parent.gfid);
    } finally {
      lock.unlock();
    }
  }

  /** An UNLINK by {@code client} of a random file (its last link); returns it (its directory changes too). */
  Optional<Unlinked> unlink(String client, SplittableRandom choice) {
    lock.lock();
    try {
      if (files.size() == 0) {
        return Optional.empty();
      }
      Inode inode = inodes.get(files.pick(choice));
      Inode parent = inodes.get(inode.parent);
      long t = clock.stamp(Math.max(inode.lastEventMs, parent.lastEventMs));
      inode.remove(t);
      files.remove(inode.uuid);
      Iatt parentStat =
          Iatt.newBuilder(parent.current)
              .setMtimeSec(Math.floorDiv(t, 1000))
              .setMtimeNsec(nanos(t))
              .setCtimeSec(Math.floorDiv(t, 1000))
              .setCtimeNsec(nanos(t))
              .build();
      parent.replace(parentStat, t);
      publish(
          inode.uuid,
          fop(Fop.UNLINK, client, inode.gfid, t)
              .setParent(parent.gfid)
              .setNlink(0)
              .setParentStat(parentStat),
          t,
          true);
      return Optional.of(new Unlinked(inode.gfid, parent.gfid));
    } finally {
      lock.unlock();
    }
  }

  /** An unlinked file and the directory it was in. */
  record Unlinked(Gfid file, Gfid parent) {}

  // ---- the truth

  /**
   * Judges a stat a cache served for {@code gfid} at {@code servedAtMs} (read before asking the cache): current,
   * replaced within the staleness bound, or stale.
   */
  Check check(Gfid gfid, Iatt served, long servedAtMs) {
    lock.lock();
    try {
      Inode inode = inodes.get(Gfids.toUuid(gfid));
      if (inode == null) {
        return stale(
            gfid,
            served,
            "is no inode of the tree, or one gone for longer than " + retentionMs + " ms");
      }
      long ctime = ctimeMs(served);
      Version version = inode.versions.get(ctime);
      if (version == null || !version.stat().equals(served)) {
        return stale(
            gfid,
            served,
            ctime < inode.prunedBeforeCtimeMs
                ? "was replaced more than " + retentionMs + " ms before"
                : "is a stat the bricks never returned: "
                    + served
                    + (version == null ? "" : "; they had " + version));
      }
      long late = servedAtMs - version.replacedAtMs();
      if (version.replacedAtMs() == Long.MAX_VALUE || late < 0) {
        return new Check(Verdict.CURRENT, "");
      }
      if (late <= boundMs) {
        return new Check(Verdict.WITHIN_BOUND, "");
      }
      return stale(
          gfid,
          served,
          "was replaced "
              + late
              + " ms before it was served (bound "
              + boundMs
              + " ms)"
              + (inode.goneAtMs == version.replacedAtMs() ? " by an unlink" : ""));
    } finally {
      lock.unlock();
    }
  }

  private static Check stale(Gfid gfid, Iatt served, String why) {
    return new Check(
        Verdict.STALE,
        Gfids.format(gfid)
            + " ctime "
            + served.getCtimeSec()
            + "."
            + String.format("%09d", served.getCtimeNsec())
            + " "
            + why);
  }

  /** Lets the bricks' heartbeats move on while no fop is published, and forgets versions no cache can hold. */
  void tick() {
    lock.lock();
    try {
      clock.idle();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets versions replaced, and inodes gone, longer ago than any cache could still hold them. */
  void prune() {
    lock.lock();
    try {
      long horizon = clock.wallClockMs() - retentionMs;
      for (Iterator<Inode> it = inodes.values().iterator(); it.hasNext(); ) {
        Inode inode = it.next();
        if (inode.goneAtMs < horizon) {
          it.remove();
          continue;
        }
        for (Iterator<Map.Entry<Long, Version>> versions = inode.versions.entrySet().iterator();
            versions.hasNext(); ) {
          Map.Entry<Long, Version> version = versions.next();
          if (version.getValue().replacedAtMs() >= horizon) {
            break; // versions are in ctime order, and so in order of replacement
          }
          inode.prunedBeforeCtimeMs = Math.max(inode.prunedBeforeCtimeMs, version.getKey() + 1);
          versions.remove();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Fops handed to the bricks' publishers. */
  long published() {
    return published.sum();
  }

  /** Fops the publishers reported failed (the truth then holds a change the pipeline never saw). */
  long failed() {
    return failed.sum();
  }

  Optional<String> firstFailure() {
    return Optional.ofNullable(firstFailure.get());
  }

  /** Flushes and closes the bricks' publishers. */
  @Override
  public void close() {
    for (BrickPublisher brick : bricks) {
      brick.close(CLOSE_TIMEOUT);
    }
  }

  // ---- internals

  private Inode add(Inode inode) {
    inodes.put(inode.uuid, inode);
    (inode.directory ? directories : files).add(inode.uuid);
    return inode;
  }

  private UUID newGfid() {
    // A random (version 4) UUID from the seeded source, never the all-zero or root gfid.
    long most = (random.nextLong() & ~0xF000L) | 0x4000L;
    long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(most, least);
  }

  private FopRecord.Builder fop(Fop fop, String client, Gfid gfid, long eventTimeMs) {
    return FopRecord.newBuilder()
        .setVolume(VOLUME)
        .setBrick("")
        .setFop(fop)
        .setClient(client)
        .setGfid(gfid)
        .setEventTimeMs(eventTimeMs);
  }

  /** Hands one fop to the brick that holds {@code key}; {@code timed} fops are tracked for fop→cache latency. */
  private void publish(UUID key, FopRecord.Builder builder, long stamp, boolean timed) {
    BrickPublisher brick = bricks.get(Math.floorMod(key.hashCode(), bricks.size()));
    String fopId = fopIdPrefix + Long.toHexString(++fopSequence);
    FopRecord record = builder.setBrick(brick.brick()).setFopId(fopId).build();
    if (timed) {
      probe.published(fopId);
    }
    try {
      brick
          .publish(record)
          .whenComplete(
              (metadata, error) -> {
                if (error != null) {
                  fail(error);
                }
              });
      published.increment();
    } catch (RuntimeException e) {
      fail(e);
    }
    clock.handedOff(stamp);
  }

  private void fail(Throwable error) {
    failed.increment();
    firstFailure.compareAndSet(null, error.getMessage());
  }

  private static Iatt file(int mode, long size, long mtimeMs, long ctimeMs) {
    return stat(IaType.REG, mode, 1, size, mtimeMs, ctimeMs);
  }

  private static Iatt directory(int mode, int nlink, long mtimeMs, long ctimeMs) {
    return stat(IaType.DIR, mode, nlink, 4096, mtimeMs, ctimeMs);
  }

  private static Iatt stat(
      IaType type, int mode, int nlink, long size, long mtimeMs, long ctimeMs) {
    return Iatt.newBuilder()
        .setType(type)
        .setMode(mode)
        .setUid(1000)
        .setGid(1000)
        .setNlink(nlink)
        .setSize(size)
        .setBlocks((size + 511) / 512)
        .setAtimeSec(Math.floorDiv(mtimeMs, 1000))
        .setAtimeNsec(nanos(mtimeMs))
        .setMtimeSec(Math.floorDiv(mtimeMs, 1000))
        .setMtimeNsec(nanos(mtimeMs))
        .setCtimeSec(Math.floorDiv(ctimeMs, 1000))
        .setCtimeNsec(nanos(ctimeMs))
        .build();
  }

  private static int nanos(long ms) {
    return (int) Math.floorMod(ms, 1000L) * 1_000_000;
  }

  static long ctimeMs(Iatt stat) {
    return stat.getCtimeSec() * 1000 + stat.getCtimeNsec() / 1_000_000;
  }
}
