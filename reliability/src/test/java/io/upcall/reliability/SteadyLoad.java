package io.upcall.reliability;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.producers.BrickPublisher;
import io.upcall.producers.load.FopGenerator;
import io.upcall.producers.load.LoadSpec;
import io.upcall.testkit.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Continuous load from the producers' {@link FopGenerator}: one {@link BrickPublisher} per simulated brick, a fixed
 * rate of fops stamped with the wall clock, every record's fate kept (acknowledged, or failed with the publisher's
 * message). With {@link #singleInodeFops()} it publishes only fops that concern one inode, which keeps each inode's
 * records in one partition in event-time order, so the pipeline's output is deterministic and can be compared
 * with the model exactly (fops that touch several inodes reach the others through the repartition, in an order
 * that depends on scheduling, where the order rule of docs/semantics.md may add or merge invalidations).
 */
final class SteadyLoad implements AutoCloseable {
  /** Fops whose effects reach another inode than the one they are keyed by. */
  private static final Set<Fop> MULTI_INODE =
      EnumSet.of(
          Fop.READDIRP,
          Fop.CREATE,
          Fop.MKNOD,
          Fop.MKDIR,
          Fop.SYMLINK,
          Fop.UNLINK,
          Fop.RMDIR,
          Fop.LINK,
          Fop.RENAME);

  private final FopGenerator generator;
  private final double fopsPerSecond;
  private final boolean singleInode;
  private final Map<String, BrickPublisher> publishers = new LinkedHashMap<>();
  private final AtomicLong latestStampMs = new AtomicLong(System.currentTimeMillis());
  private final AtomicLong handedOver = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final Map<String, FopRecord> acked = new ConcurrentHashMap<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final AtomicLong refusedAtHandOff = new AtomicLong();
  private final AtomicLong longestHandOffNanos = new AtomicLong();
  private final Thread thread;
  private volatile boolean stopping;

  private SteadyLoad(
      LoadSpec spec,
      double fopsPerSecond,
      boolean singleInode,
      Supplier<BrickPublisher.Builder> publisher) {
    this.generator = new FopGenerator(spec);
    this.fopsPerSecond = fopsPerSecond;
    this.singleInode = singleInode;
    InstantSource heartbeatClock = () -> Instant.ofEpochMilli(latestStampMs.get());
    for (String brick : generator.bricks()) {
      publishers.put(
          brick, publisher.get().volume(spec.volume()).brick(brick).clock(heartbeatClock).build());
    }
    this.thread = new Thread(this::run, "steady-load");
    this.thread.setDaemon(true);
  }

  /** A realistic small volume: 2 bricks, 20 clients, 40 directories, 3,000 files, 60 % reads, no entry churn. */
  static LoadSpec.Builder smallVolume(long seed) {
    return LoadSpec.builder()
        .volume("vol")
        .bricks(2)
        .replicas(1)
        .clients(20)
        .directories(40)
        .files(3_000)
        .readRatio(0.6)
        .entryWeight(0)
        .zipfExponent(0.9)
        .seed(seed)
        .populate(false);
  }

  /** Starts publishing {@code spec}'s fops at {@code fopsPerSecond}, only single-inode ones when asked. */
  static SteadyLoad start(
      LoadSpec spec,
      double fopsPerSecond,
      boolean singleInodeFops,
      Supplier<BrickPublisher.Builder> publisher) {
    SteadyLoad load = new SteadyLoad(spec, fopsPerSecond, singleInodeFops, publisher);
    load.thread.start();
    return load;
  }

  static boolean singleInode(FopRecord fop) {
    return !MULTI_INODE.contains(fop.getFop());
  }

  private void run() {
    long start = System.nanoTime();
    long n = 0;
    while (!stopping) {
      long due = start + (long) (n * 1e9 / fopsPerSecond);
      long now = System.nanoTime();
      if (due > now) {
        LockSupport.parkNanos(Math.min(due - now, 50_000_000L));
        continue;
      }
      long stamp = latestStampMs.accumulateAndGet(System.currentTimeMillis(), Math::max);
      for (FopRecord record : generator.next(stamp)) {
        if (singleInode && !singleInode(record)) {
          continue;
        }
        publish(record);
      }
      n++;
    }
  }

  private void publish(FopRecord record) {
    long begin = System.nanoTime();
    try {
      handedOver.incrementAndGet();
      publishers
          .get(record.getBrick())
          .publish(record)
          .whenComplete(
              (metadata, error) -> {
                if (error == null) {
                  acknowledged.incrementAndGet();
                  acked.put(key(record), record);
                } else {
                  failures.add(error);
                }
              });
    } catch (RuntimeException e) {
      refusedAtHandOff.incrementAndGet();
      failures.add(e);
    } finally {
      longestHandOffNanos.accumulateAndGet(System.nanoTime() - begin, Math::max);
    }
  }

  /** Identifies one published record: a fop id and the brick that published it (replicas share the fop id). */
  static String key(FopRecord record) {
    return record.getBrick() + "|" + record.getFopId();
  }

  long acknowledged() {
    return acknowledged.get();
  }

  /** Waits until {@code count} records are acknowledged (at most 90 s). */
  void awaitAcknowledged(long count) {
    Eventually.within(
        Duration.ofSeconds(90), count + " fops acknowledged", () -> acknowledged() >= count);
  }

  long handedOver() {
    return handedOver.get();
  }

  /** Every acknowledged record by {@link #key}. */
  Map<String, FopRecord> acknowledgedRecords() {
    return Map.copyOf(acked);
  }

  List<Throwable> failures() {
    return List.copyOf(failures);
  }

  /** The longest a single publish call blocked the generator (a full buffer or missing metadata). */
  Duration longestHandOff() {
    return Duration.ofNanos(longestHandOffNanos.get());
  }

  List<String> clients() {
    return generator.clients();
  }

  /** Stops generating, then waits for every record in flight to be acknowledged or failed, and closes. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(60_000);
    for (BrickPublisher publisher : publishers.values()) {
      publisher.close(Duration.ofSeconds(60));
    }
  }
}
