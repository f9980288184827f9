package io.upcall.demo;

import io.upcall.avro.FopRecord;
import io.upcall.producers.BrickPublisher;
import io.upcall.producers.load.FopGenerator;
import io.upcall.producers.load.LoadSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Traffic from the rest of the volume: the producers' load model playing several bricks and many clients at a
 * fixed rate, on its own thread, through one {@link BrickPublisher} per brick. Nobody in the demo caches its
 * inodes, so its invalidations only pass by the demo's clients (and load the pipeline, as real traffic would).
 */
final class BackgroundLoad implements AutoCloseable {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final long JOIN_TIMEOUT_MS = 10_000;

  private final FopGenerator generator;
  private final EventClock clock;
  private final Map<String, BrickPublisher> bricks = new LinkedHashMap<>();
  private final long intervalNanos;
  private final Thread worker;
  private volatile boolean stopping;

  private final LongAdder published = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  /**
   * The load of {@code spec} at {@code recordsPerSecond}; {@code publishers} builds the publisher of each brick
   * given the clock its heartbeats must use.
   */
  BackgroundLoad(
      LoadSpec spec,
      double recordsPerSecond,
      EventClock clock,
      Function<String, BrickPublisher> publishers) {
    this.generator = new FopGenerator(spec);
    this.clock = clock;
    this.intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / recordsPerSecond);
    for (String brick : generator.bricks()) {
      bricks.put(brick, publishers.apply(brick));
    }
    this.worker = new Thread(this::run, "upcall-demo-load");
    this.worker.setDaemon(true);
  }

  void start() {
    worker.start();
  }

  /** Records handed to the publishers (a replicated fop counts once per replica). */
  long published() {
    return published.sum();
  }

  long failed() {
    return failed.sum();
  }

  String firstFailure() {
    return firstFailure.get();
  }

  int brickCount() {
    return bricks.size();
  }

  /** Stops generating, then flushes and closes the publishers. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    if (worker.isAlive()) {
      worker.join(JOIN_TIMEOUT_MS);
    }
    for (BrickPublisher brick : bricks.values()) {
      brick.close(CLOSE_TIMEOUT);
    }
  }

  private void run() {
    long next = System.nanoTime();
    while (!stopping) {
      long now = System.nanoTime();
      if (now < next) {
        // This thread is the only one publishing for these bricks: between fops, heartbeats may
        // claim the time.
        clock.idle();
        LockSupport.parkNanos(Math.min(next - now, TimeUnit.MILLISECONDS.toNanos(50)));
        continue;
      }
      next = Math.max(next + intervalNanos, now - TimeUnit.SECONDS.toNanos(1));
      long stamp = clock.stamp(Long.MIN_VALUE);
      for (FopRecord record : generator.next(stamp)) {
        publish(record);
      }
      clock.handedOff(stamp);
    }
  }

  private void publish(FopRecord record) {
    try {
      bricks
          .get(record.getBrick())
          .publish(record)
          .whenComplete(
              (metadata, error) -> {
                if (error != null) {
                  failed.increment();
                  firstFailure.compareAndSet(null, error.getMessage());
                }
              });
      published.increment();
    } catch (RuntimeException e) {
      failed.increment();
      firstFailure.compareAndSet(null, e.getMessage());
    }
  }
}
