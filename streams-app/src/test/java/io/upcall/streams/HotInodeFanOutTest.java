package io.upcall.streams;

import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.gfid;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.UpcallFlag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * One inode read by 100,000 clients, then written once: the tracked pairs stay within max-tracked-pairs while the
 * clients arrive, and the write is told in chunks, each step (the write's process() call, then punctuations)
 * holding the stream thread, and so every other partition of that thread, for one chunk only.
 */
@Tag("slow")
class HotInodeFanOutTest {
  private static final int CLIENTS = 100_000;
  private static final Gfid HOT = gfid(4242);

  @Test
  void aWriteToAnInodeReadByOneHundredThousandClientsReachesEveryFreshOneWithinTheBound(
      TestReporter reporter) {
    long bound = 60_000;
    try (UpcallDriver driver =
        new UpcallDriver(
            Switches.DEFAULTS, Instant.ofEpochMilli(T0), 1, Map.of("max-tracked-pairs", bound))) {
      long readsStart = System.nanoTime();
      for (int c = 0; c < CLIENTS; c++) {
        // 100 k reads spread over 50 s of event time: every reader is still fresh (T = 60 s) at the
        // write.
        driver.pipe(fop(Fop.STAT, "client-" + c, HOT, T0 + c / 2).build());
      }
      long readsNanos = System.nanoTime() - readsStart;
      List<Invalidation> evictions = driver.invalidations();
      long tracked = driver.trackedPairs();

      long writeStart = System.nanoTime();
      driver.pipe(fop(Fop.WRITE, "writer", HOT, T0 + 55_000).setStat(Fops.stat(1)).build());
      long longestNanos = System.nanoTime() - writeStart;
      List<Invalidation> told = new ArrayList<>(driver.invalidations());
      int largestStep = told.size();
      int steps = 1;
      while (told.size() < bound + 1 && steps < 100) {
        long stepStart = System.nanoTime();
        driver.advanceWallClockTo(T0 + steps * ChunkedFanOut.RESUME_INTERVAL.toMillis());
        longestNanos = Math.max(longestNanos, System.nanoTime() - stepStart);
        List<Invalidation> step = driver.invalidations();
        largestStep = Math.max(largestStep, step.size());
        told.addAll(step);
        steps++;
      }
      long fanOutNanos = System.nanoTime() - writeStart;

      reporter.publishEntry(
          String.format(
              "hot inode: %,d readers, bound %,d pairs: %,d tracked after the reads (%,d "
                  + "FORGET on eviction, %.1f us per read); one write told %,d clients in %d steps of at most %,d "
                  + "(%d ms in all, the longest step holding the stream thread %d ms)",
              CLIENTS,
              bound,
              tracked,
              evictions.size(),
              readsNanos / 1e3 / CLIENTS,
              told.size(),
              steps,
              largestStep,
              fanOutNanos / 1_000_000,
              longestNanos / 1_000_000));
      assertThat(tracked).as("pairs tracked after 100 k readers").isEqualTo(bound);
      assertThat(evictions)
          .hasSize(CLIENTS - (int) bound)
          .allSatisfy(forget -> assertThat(forget.getFlags()).isEqualTo(UpcallFlag.FORGET.bit()));
      // The first step also carries the FORGET of the reader the writer's own new pair evicted.
      assertThat(largestStep)
          .as("recipients in one step")
          .isLessThanOrEqualTo(ChunkedFanOut.CHUNK + 1);
      assertThat(told.stream().filter(i -> i.getFlags() == UpcallFlag.FORGET.bit())).hasSize(1);
      assertThat(
              told.stream()
                  .filter(i -> i.getFlags() == UpcallFlag.mask(UpcallFlag.SIZE, UpcallFlag.TIMES))
                  .map(Invalidation::getClient)
                  .distinct())
          .hasSize((int) bound);
    }
  }
}
