package io.upcall.demo;

import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.client.FetchToken;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One client of the demo: a mount with a {@link MetadataCache} kept coherent by an {@link UpcallClient}. On its own
 * thread it looks inodes up (answered from the cache when it can, else fetched from the bricks, which registers the
 * access), and changes the tree (WRITE, SETATTR, CREATE, UNLINK) as a user of the mount would. Every answer its
 * cache gives is checked against the truth at once.
 */
final class DemoClient implements AutoCloseable {
  private static final int SAMPLES_KEPT = 5;
  private static final long JOIN_TIMEOUT_MS = 10_000;

  private final String name;
  private final TruthTree tree;
  private final MetadataCache cache;
  private final UpcallClient client;
  private final SplittableRandom random;
  private final long intervalNanos;
  private final int targetFiles;
  private final LongSupplier wallClockMs;
  private final boolean dropsOwnChanges;
  private final Thread worker;
  private volatile boolean stopping;

  private final LongAdder lookups = new LongAdder();
  private final LongAdder hits = new LongAdder();
  private final LongAdder changes = new LongAdder();
  private final LongAdder current = new LongAdder();
  private final LongAdder withinBound = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final List<String> staleSamples = new CopyOnWriteArrayList<>();

  /** Builds the client (it starts reading at once); {@link #start()} starts the mount's own traffic. */
  DemoClient(
      String name,
      String uid,
      String bootstrapServers,
      Map<String, Object> kafkaProperties,
      TruthTree tree,
      LatencyProbe probe,
      Duration stalenessBound,
      double opsPerSecond,
      int targetFiles,
      long seed,
      LongSupplier wallClockMs,
      boolean dropsOwnChanges) {
    this.name = name;
    this.tree = tree;
    this.random = new SplittableRandom(seed);
    this.intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / opsPerSecond);
    this.targetFiles = targetFiles;
    this.wallClockMs = wallClockMs;
    this.dropsOwnChanges = dropsOwnChanges;
    this.cache = MetadataCache.builder().build();
    this.client =
        UpcallClient.builder()
            .bootstrapServers(bootstrapServers)
            .kafkaProperties(kafkaProperties)
            .uid(uid)
            .cache(cache)
            .stalenessBound(stalenessBound)
            .listener(invalidation -> probe.applied(invalidation.getCauseFopId()))
            .build();
    this.worker = new Thread(this::run, "upcall-demo-" + name);
    this.worker.setDaemon(true);
  }

  String name() {
    return name;
  }

  /** The uid the bricks record as originator of this client's fops. */
  String uid() {
    return client.uid();
  }

  /** Waits until the client has proven it sees every invalidation (it heard from every streams task). */
  boolean awaitReady(Duration timeout) throws InterruptedException {
    return client.awaitReady(timeout);
  }

  void start() {
    worker.start();
  }

  /** Whether the cache may serve now: it holds proof that it is fresh within the staleness bound. */
  boolean fresh() {
    return cache.isFresh();
  }

  /** Stops the mount's traffic; the cache keeps applying invalidations until {@link #close()}. */
  void stop() throws InterruptedException {
    stopping = true;
    if (worker.isAlive()) {
      worker.join(JOIN_TIMEOUT_MS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    client.close();
  }

  /** This client's counters and its cache's, now. */
  ClientCounts counts() {
    var cacheStats = cache.stats();
    return new ClientCounts(
        lookups.sum(),
        hits.sum(),
        cacheStats.unfreshMisses(),
        changes.sum(),
        current.sum(),
        withinBound.sum(),
        stale.sum(),
        cacheStats.invalidations(),
        cacheStats.freshAsOfAge().orElse(null),
        List.copyOf(staleSamples));
  }

  /** A snapshot of one client's work; {@code freshAsOfAge} is null until its cache proved itself fresh once. */
  record ClientCounts(
      long lookups,
      long hits,
      long unfreshMisses,
      long changes,
      long current,
      long withinBound,
      long stale,
      long invalidationsApplied,
      Duration freshAsOfAge,
      List<String> staleSamples) {}

  private void run() {
    long next = System.nanoTime();
    while (!stopping) {
      long now = System.nanoTime();
      if (now < next) {
        LockSupport.parkNanos(Math.min(next - now, TimeUnit.MILLISECONDS.toNanos(100)));
        continue;
      }
      // After a stall (a GC, a busy box) carry on at the rate rather than catching up in a burst.
      next = Math.max(next + intervalNanos, now - TimeUnit.SECONDS.toNanos(1));
      step();
    }
  }

  /** One operation of the mount's mix: 70 % lookups, then writes, chmods, and creates or unlinks. */
  private void step() {
    int roll = random.nextInt(100);
    if (roll < 70) {
      lookUp(tree.pickForRead(random));
    } else if (roll < 88) {
      tree.write(uid(), random).ifPresent(this::changedHere);
    } else if (roll < 92) {
      tree.chmod(uid(), random).ifPresent(this::changedHere);
    } else {
      // Keep the tree near its size: create more when it shrank, unlink more when it grew.
      double createOdds = 0.5 + (targetFiles - tree.fileCount()) / (2.0 * Math.max(1, targetFiles));
      if (random.nextDouble() < createOdds) {
        tree.create(uid(), random).ifPresent(this::changedHere);
      } else {
        tree.unlink(uid(), random)
            .ifPresent(unlinked -> changedHere(unlinked.file(), unlinked.parent()));
      }
    }
  }

  /** md-cache's lookup: the cache's answer when it has one (checked against the truth), else ask the bricks. */
  private void lookUp(Gfid gfid) {
    lookups.increment();
    long servedAtMs = wallClockMs.getAsLong();
    Optional<Iatt> cached = cache.stat(gfid);
    if (cached.isPresent()) {
      hits.increment();
      TruthTree.Check check = tree.check(gfid, cached.get(), servedAtMs);
      switch (check.verdict()) {
        case CURRENT -> current.increment();
        case WITHIN_BOUND -> withinBound.increment();
        case STALE -> {
          stale.increment();
          if (staleSamples.size() < SAMPLES_KEPT) {
            staleSamples.add(name + " served " + check.detail());
          }
        }
      }
      return;
    }
    // The token is taken before asking: an invalidation applied meanwhile makes the cache refuse
    // the answer.
    FetchToken token = cache.beginFetch(gfid);
    tree.lookup(uid(), gfid).ifPresent(stat -> cache.putStat(token, stat));
  }

  /**
   * The originator of a change is never told of it (GlusterFS's rule), so the mount drops what it cached itself;
   * its next lookup fetches the new stat.
   */
  private void changedHere(Gfid... changed) {
    changes.increment();
    if (!dropsOwnChanges) {
      return; // the bug DemoTest plants to show that the stale-read check catches one
    }
    for (Gfid gfid : changed) {
      cache.invalidate(gfid);
    }
  }
}
