package io.upcall.reliability;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.client.FetchToken;
import io.upcall.client.MetadataCache;
import io.upcall.client.UpcallClient;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.Gfids;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Clients whose every cached answer is checked against the truth, as the demo's mounts are: a writer changes a few
 * files through a brick while each client looks them up, answered from its {@link MetadataCache} when it can and
 * fetched through the same brick (which registers the access) when it cannot. The brick stamps each fop with its
 * clock while the truth is read or changed under one lock, so the truth knows the exact event time at which each
 * version of a file was replaced. A cached answer replaced longer than the clients' staleness bound before it was
 * served is a stale read. A sampler records the longest time a client refused to serve (its cache not fresh).
 */
final class CheckedClients implements AutoCloseable {
  /**
   * The clients' staleness bound: 5 s rather than the default 2 s, because on this 2-core box, shared by three
   * brokers, the app and the load (load average above 10), the marks' own lag often exceeds 2 s, and a client
   * that cannot prove itself fresh serves nothing, which would leave nothing to check. Answers are checked
   * against this same bound.
   */
  static final Duration BOUND = Duration.ofSeconds(5);

  private static final long SAMPLE_MS = 50;

  /** One version of a file: its stat (the size is unique) and when the next write replaced it. */
  private static final class Version {
    final Iatt stat;
    long replacedAtMs = Long.MAX_VALUE;

    Version(Iatt stat) {
      this.stat = stat;
    }
  }

  /** The brick's clock; remembers, per thread, the last time it handed out, so the truth knows a fop's stamp. */
  private static final class StampingClock implements InstantSource {
    private final ThreadLocal<Long> last = new ThreadLocal<>();

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
      long now = System.currentTimeMillis();
      last.set(now);
      return now;
    }

    long lastOnThisThread() {
      return last.get();
    }
  }

  private final Duration bound;
  private final ReentrantLock truthLock = new ReentrantLock();
  private final StampingClock clock = new StampingClock();
  private final BrickPublisher brick;
  private final List<Gfid> files = new ArrayList<>();
  private final Map<Gfid, List<Version>> versions = new HashMap<>();
  private final List<Checked> clients = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final String writer = "truth-writer-" + UUID.randomUUID();
  private final AtomicLong sizes = new AtomicLong(4096);
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong freshSamples = new AtomicLong();

  /** Samples by the fresh-as-of age of the client's cache: unknown, under 1, 2, 5, 10 s, and 10 s or more. */
  private final AtomicLongArray ages = new AtomicLongArray(6);

  private final List<String> staleSamples = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  /** One client: its cache and reader, and its longest refusal so far. */
  private record Checked(
      String uid, MetadataCache cache, UpcallClient client, AtomicLong longestRefusalMs) {}

  private CheckedClients(
      Supplier<BrickPublisher.Builder> brick,
      Supplier<UpcallClient.Builder> client,
      int count,
      int fileCount,
      Duration bound,
      Supplier<MetadataCache> caches) {
    this.bound = bound;
    this.brick = brick.get().volume("vol").brick("truth-brick").clock(clock).build();
    for (int i = 0; i < fileCount; i++) {
      Gfid gfid = Gfids.of(UUID.randomUUID());
      files.add(gfid);
      versions.put(
          gfid, new ArrayList<>(List.of(new Version(Probe.stat(1, sizes.incrementAndGet())))));
    }
    for (int i = 0; i < count; i++) {
      MetadataCache cache = caches.get();
      String uid = "checked-" + i + "-" + UUID.randomUUID();
      clients.add(
          new Checked(
              uid,
              cache,
              client.get().uid(uid).cache(cache).stalenessBound(bound).build(),
              new AtomicLong()));
    }
  }

  /**
   * Starts {@code count} clients on {@code fileCount} files once every client is ready: each looks a random file up
   * every 20 ms; the writer changes a random file every 50 ms.
   */
  static CheckedClients start(
      Supplier<BrickPublisher.Builder> brick,
      Supplier<UpcallClient.Builder> client,
      int count,
      int fileCount)
      throws InterruptedException {
    return start(brick, client, count, fileCount, BOUND, () -> MetadataCache.builder().build());
  }

  /** The same with the clients' staleness bound (answers are checked against it) and their caches chosen. */
  static CheckedClients start(
      Supplier<BrickPublisher.Builder> brick,
      Supplier<UpcallClient.Builder> client,
      int count,
      int fileCount,
      Duration bound,
      Supplier<MetadataCache> caches)
      throws InterruptedException {
    CheckedClients checked = new CheckedClients(brick, client, count, fileCount, bound, caches);
    for (Checked c : checked.clients) {
      if (!c.client().awaitReady(Duration.ofSeconds(180))) {
        checked.close();
        throw new IllegalStateException("client " + c.uid() + " not ready within 180 s");
      }
    }
    for (int i = 0; i < checked.clients.size(); i++) {
      Checked c = checked.clients.get(i);
      long seed = i;
      checked.spawn("checked-client-" + i, () -> checked.lookUps(c, new SplittableRandom(seed)));
    }
    checked.spawn("truth-writer", checked::writeLoop);
    checked.spawn("refusal-sampler", checked::sample);
    return checked;
  }

  private void spawn(String name, Runnable body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (RuntimeException e) {
                failures.add(e);
              }
            },
            name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private void lookUps(Checked c, SplittableRandom random) {
    while (!stopping) {
      lookUp(c, files.get(random.nextInt(files.size())));
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** md-cache's lookup: the cache's answer, checked against the truth, or a fetch through the brick. */
  private void lookUp(Checked c, Gfid gfid) {
    long servedAtMs = System.currentTimeMillis();
    Optional<Iatt> cached = c.cache().stat(gfid);
    if (cached.isPresent()) {
      served.incrementAndGet();
      check(c, gfid, cached.get(), servedAtMs);
      return;
    }
    FetchToken token = c.cache().beginFetch(gfid);
    Iatt stat;
    truthLock.lock();
    try {
      List<Version> history = versions.get(gfid);
      stat = history.get(history.size() - 1).stat;
      send(Fop.LOOKUP, c.uid(), gfid, stat);
    } finally {
      truthLock.unlock();
    }
    c.cache().putStat(token, stat);
  }

  private void check(Checked c, Gfid gfid, Iatt servedStat, long servedAtMs) {
    truthLock.lock();
    try {
      for (Version version : versions.get(gfid)) {
        if (version.stat.equals(servedStat)) {
          long late = servedAtMs - version.replacedAtMs;
          if (late > bound.toMillis()) {
            stale.incrementAndGet();
            if (staleSamples.size() < 5) {
              staleSamples.add(
                  c.uid()
                      + " served size "
                      + servedStat.getSize()
                      + " of "
                      + Gfids.format(gfid)
                      + ", replaced "
                      + late
                      + " ms before (bound "
                      + bound.toMillis()
                      + " ms)");
            }
          }
          return;
        }
      }
      stale.incrementAndGet();
      staleSamples.add(c.uid() + " served a stat the brick never returned: " + servedStat);
    } finally {
      truthLock.unlock();
    }
  }

  private void writeLoop() {
    SplittableRandom random = new SplittableRandom(99);
    while (!stopping) {
      Gfid gfid = files.get(random.nextInt(files.size()));
      truthLock.lock();
      try {
        Iatt next = Probe.stat(System.currentTimeMillis() / 1000, sizes.incrementAndGet());
        send(Fop.WRITE, writer, gfid, next);
        List<Version> history = versions.get(gfid);
        history.get(history.size() - 1).replacedAtMs = clock.lastOnThisThread();
        history.add(new Version(next));
        writes.incrementAndGet();
      } finally {
        truthLock.unlock();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** Hands the fop to the brick (stamped by its clock on this thread); a failed delivery is kept as a failure. */
  private void send(Fop fop, String client, Gfid gfid, Iatt stat) {
    FopRecord record =
        FopRecord.newBuilder()
            .setVolume("")
            .setBrick("")
            .setFop(fop)
            .setClient(client)
            .setGfid(gfid)
            .setEventTimeMs(0)
            .setFopId("truth-" + UUID.randomUUID())
            .setStat(stat)
            .build();
    brick
        .publish(record)
        .whenComplete(
            (metadata, error) -> {
              if (error != null) {
                failures.add(error);
              }
            });
  }

  private void sample() {
    long[] unfreshSince = new long[clients.size()];
    while (!stopping) {
      long now = System.nanoTime();
      for (int i = 0; i < clients.size(); i++) {
        Checked c = clients.get(i);
        samples.incrementAndGet();
        ages.incrementAndGet(ageBucket(c.cache().freshAsOf()));
        if (c.cache().isFresh()) {
          freshSamples.incrementAndGet();
          unfreshSince[i] = 0;
        } else if (unfreshSince[i] == 0) {
          unfreshSince[i] = now;
        } else {
          c.longestRefusalMs()
              .accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(now - unfreshSince[i]), Math::max);
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS));
    }
  }

  private static int ageBucket(Optional<Instant> freshAsOf) {
    if (freshAsOf.isEmpty()) {
      return 0;
    }
    long age = System.currentTimeMillis() - freshAsOf.get().toEpochMilli();
    return age < 1_000 ? 1 : age < 2_000 ? 2 : age < 5_000 ? 3 : age < 10_000 ? 4 : 5;
  }

  /** Cached answers checked so far. */
  long served() {
    return served.get();
  }

  long stale() {
    return stale.get();
  }

  long writes() {
    return writes.get();
  }

  List<String> staleSamples() {
    return List.copyOf(staleSamples);
  }

  List<Throwable> failures() {
    return List.copyOf(failures);
  }

  /** The longest any client refused to serve because it could not prove itself fresh (sampled every 50 ms). */
  Duration longestRefusal() {
    return Duration.ofMillis(
        clients.stream().mapToLong(c -> c.longestRefusalMs().get()).max().orElse(0));
  }

  /** Starts a new refusal measurement (e.g. for the next fault). */
  void resetLongestRefusal() {
    clients.forEach(c -> c.longestRefusalMs().set(0));
  }

  /** One line for the test output. */
  String summary() {
    return clients.size()
        + " checked clients: "
        + served()
        + " cached answers served, "
        + stale()
        + " stale"
        + (staleSamples.isEmpty() ? "" : " e.g. " + staleSamples)
        + "; "
        + writes()
        + " writes; longest refusal "
        + longestRefusal().toMillis()
        + " ms; fresh in "
        + (100 * freshSamples.get() / Math.max(1, samples.get()))
        + " % of samples (fresh-as-of age: unknown/<1/<2/<5/<10/>=10 s "
        + ages
        + ")";
  }

  /** Stops the traffic, waits for the writer's fops, and closes the clients. */
  @Override
  public void close() throws InterruptedException {
    if (stopping) {
      return;
    }
    stopping = true;
    for (Thread thread : threads) {
      thread.join(10_000);
    }
    brick.close(Duration.ofSeconds(60));
    for (Checked c : clients) {
      c.client().close();
    }
  }
}
