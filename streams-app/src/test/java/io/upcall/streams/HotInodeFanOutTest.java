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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One inode read by 100,000 clients, then written once: the write's fan-out is measured (the time one process()
 * call holds its stream thread, and so every other partition of that thread), and the tracked pairs stay within
 * max-tracked-pairs while the clients arrive.
 */
@Tag("slow")
class HotInodeFanOutTest {
  private static final int CLIENTS = 100_000;
  private static final Gfid HOT = gfid(4242);

  @Test
  void aWriteToAnInodeReadByOneHundredThousandClientsReachesEveryFreshOneWithinTheBound() {
    long bound = 60_000;
    try (UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS, Instant.ofEpochMilli(T0), 1,
        Map.of("max-tracked-pairs", bound))) {
      long readsStart = System.nanoTime();
      for (int c = 0; c < CLIENTS; c++) {
        // 100 k reads spread over 50 s of event time: every reader is still fresh (T = 60 s) at the write.
        driver.pipe(fop(Fop.STAT, "client-" + c, HOT, T0 + c / 2).build());
      }
      long readsNanos = System.nanoTime() - readsStart;
      List<Invalidation> evictions = driver.invalidations();
      long tracked = driver.storeSize(UpcallProcessor.TRACKED_CLIENTS_STORE);

      long writeStart = System.nanoTime();
      driver.pipe(fop(Fop.WRITE, "writer", HOT, T0 + 55_000).setStat(Fops.stat(1)).build());
      long writeNanos = System.nanoTime() - writeStart;
      List<Invalidation> told = driver.invalidations();

      System.out.printf("hot inode: %,d readers, bound %,d pairs: %,d tracked after the reads (%,d FORGET on eviction, "
              + "%.1f us per read), one write told %,d clients in %d ms (%.2f us per recipient)%n", CLIENTS, bound,
          tracked, evictions.size(), readsNanos / 1e3 / CLIENTS, told.size(), writeNanos / 1_000_000,
          writeNanos / 1e3 / Math.max(1, told.size()));
      assertThat(tracked).as("pairs tracked after 100 k readers").isEqualTo(bound);
      assertThat(evictions).hasSize(CLIENTS - (int) bound)
          .allSatisfy(forget -> assertThat(forget.getFlags()).isEqualTo(UpcallFlag.FORGET.bit()));
      // Every tracked reader but the writer is told; then the writer's own new pair evicts one more, with FORGET.
      assertThat(told).hasSize((int) bound + 1);
      assertThat(told.subList(0, (int) bound)).allSatisfy(
          invalidation -> assertThat(invalidation.getFlags()).isEqualTo(UpcallFlag.mask(UpcallFlag.SIZE, UpcallFlag.TIMES)));
      assertThat(told.get((int) bound).getFlags()).isEqualTo(UpcallFlag.FORGET.bit());
    }
  }
}
