package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.client.ServingCache;
import io.upcall.schemas.UpcallFlag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batches change nothing a client can observe: the same random traces through the topology in both formats (batches
 * held across many records, so changes fold), each client's invalidations applied to its real MetadataCache, leave
 * every cache in the same state at every point where a batch is written. And the fold rule itself, against the cache:
 * applying a folded invalidation leaves an entry as applying the two it stands for.
 */
class BatchedCacheStateTest {
  private static final Duration DELAY = Duration.ofMillis(50);

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void batchedDeliveryLeavesEveryCacheAsPerClientDeliveryDoes(long seed) {
    Random random = new Random(seed);
    RandomTraceTest.Trace perClientTrace = new RandomTraceTest.Trace(new Random(seed));
    RandomTraceTest.Trace batchedTrace = new RandomTraceTest.Trace(new Random(seed));
    Map<String, List<String>> patterns = new HashMap<>();
    for (String client : RandomTraceTest.CLIENTS) {
      patterns.put(
          client,
          RandomTraceTest.PATTERN_SETS.get(random.nextInt(RandomTraceTest.PATTERN_SETS.size())));
    }
    Instant start = Instant.ofEpochMilli(Fops.T0);
    int compared = 0;
    int folded = 0;
    try (UpcallDriver perClient =
            new UpcallDriver(
                Switches.DEFAULTS.withFormat("per-client"),
                start,
                1,
                Map.of(),
                BatchSettings.IMMEDIATE);
        UpcallDriver batched =
            new UpcallDriver(
                Switches.DEFAULTS,
                start,
                1,
                Map.of(),
                new BatchSettings(DELAY, BatchSettings.MAX_BYTES_DEFAULT))) {
      Map<String, ServingCache> byPerClient = new HashMap<>();
      Map<String, ServingCache> byBatches = new HashMap<>();
      for (String client : RandomTraceTest.CLIENTS) {
        perClient.register(client, patterns.get(client).toArray(String[]::new));
        batched.register(client, patterns.get(client).toArray(String[]::new));
        byPerClient.put(client, new ServingCache(patterns.get(client)));
        byBatches.put(client, new ServingCache(patterns.get(client)));
      }
      Set<Gfid> inodes = new LinkedHashSet<>();
      long wallClock = Fops.T0;
      for (int written = 0; written < 60; written++) {
        fill(random, inodes, byPerClient, byBatches);
        int records = 1 + random.nextInt(25);
        for (int r = 0; r < records; r++) {
          List<FopRecord> fops = perClientTrace.next();
          assertThat(batchedTrace.next()).isEqualTo(fops);
          for (FopRecord fop : fops) {
            remember(inodes, fop);
            perClient.pipe(fop);
            batched.pipe(fop);
          }
        }
        wallClock += DELAY.toMillis();
        perClient.advanceWallClockTo(wallClock);
        batched.advanceWallClockTo(wallClock);
        List<Invalidation> one = perClient.invalidations();
        List<Invalidation> other = batched.invalidations();
        folded += one.size() - other.size();
        apply(one, byPerClient);
        apply(other, byBatches);
        for (String client : RandomTraceTest.CLIENTS) {
          for (Gfid inode : inodes) {
            assertThat(byBatches.get(client).state(inode, RandomTraceTest.XATTR_NAMES))
                .as("client %s, inode %s, after batch %d (seed %d)", client, inode, written, seed)
                .isEqualTo(byPerClient.get(client).state(inode, RandomTraceTest.XATTR_NAMES));
            compared++;
          }
        }
      }
    }
    assertThat(compared).isGreaterThan(1_000);
    assertThat(folded)
        .as("invalidations folded away: the comparison must cover folds")
        .isPositive();
  }

  @Test
  void aFoldedInvalidationLeavesAnEntryAsTheTwoItStandsFor() {
    Random random = new Random(42);
    Gfid inode = Fops.gfid(1);
    Gfid parent = Fops.gfid(2);
    List<String> names = List.of("user.a", "user.b", "user.c");
    int folds = 0;
    for (int trial = 0; trial < 20_000; trial++) {
      Invalidation earlier = random(random, inode, parent, names);
      Invalidation later = random(random, inode, parent, names);
      Invalidation folded = InvalidationFold.fold(earlier, later);
      if (folded == null) {
        continue;
      }
      folds++;
      ServingCache both = new ServingCache(List.of("user.*"));
      ServingCache one = new ServingCache(List.of("user.*"));
      long seed = random.nextLong();
      prefill(new Random(seed), both, List.of(inode, parent), names);
      prefill(new Random(seed), one, List.of(inode, parent), names);
      both.cache().apply(earlier);
      both.cache().apply(later);
      one.cache().apply(folded);
      for (Gfid gfid : List.of(inode, parent)) {
        assertThat(one.state(gfid, names))
            .as("trial %d: %s then %s as %s", trial, earlier, later, folded)
            .isEqualTo(both.state(gfid, names));
      }
    }
    assertThat(folds).as("pairs the rule folds").isGreaterThan(2_000);
  }

  private static void remember(Set<Gfid> inodes, FopRecord fop) {
    inodes.add(fop.getGfid());
    if (fop.getParent() != null) {
      inodes.add(fop.getParent());
    }
    if (fop.getEntries() != null) {
      inodes.addAll(fop.getEntries());
    }
  }

  /** Caches every known inode the caches both lack, the same in both, so each invalidation has something to change. */
  private static void fill(
      Random random, Set<Gfid> inodes, Map<String, ServingCache> a, Map<String, ServingCache> b) {
    for (String client : RandomTraceTest.CLIENTS) {
      for (Gfid inode : inodes) {
        if (a.get(client).cache().stat(inode).isEmpty() && random.nextInt(3) > 0) {
          long seed = random.nextLong();
          prefill(new Random(seed), a.get(client), List.of(inode), RandomTraceTest.XATTR_NAMES);
          prefill(new Random(seed), b.get(client), List.of(inode), RandomTraceTest.XATTR_NAMES);
        }
      }
    }
  }

  private static void prefill(
      Random random, ServingCache cache, List<Gfid> inodes, List<String> names) {
    for (Gfid inode : inodes) {
      Map<String, ByteBuffer> xattrs = new HashMap<>();
      for (String name : names) {
        if (random.nextBoolean()) {
          xattrs.put(name, value("cached"));
        }
      }
      cache.fill(inode, stat(random.nextInt(4), random.nextInt(100)), xattrs);
    }
  }

  private static void apply(List<Invalidation> invalidations, Map<String, ServingCache> caches) {
    for (Invalidation invalidation : invalidations) {
      caches.get(invalidation.getClient()).cache().apply(invalidation);
    }
  }

  private static Invalidation random(Random random, Gfid inode, Gfid parent, List<String> names) {
    int flags = 0;
    for (UpcallFlag flag : UpcallFlag.values()) {
      if (random.nextInt(5) == 0) {
        flags |= flag.bit();
      }
    }
    List<Xattr> xattrs = new ArrayList<>();
    for (String name : names) {
      if (random.nextInt(3) == 0) {
        xattrs.add(new Xattr(name, random.nextInt(3) == 0 ? null : value("v" + random.nextInt(3))));
      }
    }
    Iatt stat = random.nextInt(6) == 0 ? null : stat(random.nextInt(4), random.nextInt(100));
    boolean parentTimes = UpcallFlag.PARENT_TIMES.in(flags);
    return new Invalidation(
        "c",
        inode,
        flags,
        "vol",
        stat,
        parentTimes ? parent : null,
        parentTimes && random.nextBoolean() ? stat(random.nextInt(4), 7) : null,
        null,
        null,
        xattrs,
        random.nextInt(8) == 0 ? 30 : 60,
        Fops.T0,
        "brick-1",
        "f");
  }

  private static Iatt stat(long ctimeSec, long size) {
    return Iatt.newBuilder()
        .setType(IaType.REG)
        .setMode(0644)
        .setUid(0)
        .setGid(0)
        .setNlink(1)
        .setSize(size)
        .setBlocks(0)
        .setAtimeSec(0)
        .setAtimeNsec(0)
        .setMtimeSec(0)
        .setMtimeNsec(0)
        .setCtimeSec(ctimeSec)
        .setCtimeNsec(0)
        .build();
  }

  private static ByteBuffer value(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }
}
