package io.upcall.streams;

import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.stat;
import static io.upcall.streams.Fops.xattr;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.UpcallFlag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Long random traces (several clients and inodes, every fop kind, small random timing, replica duplicates)
 * through the production topology, checked against {@link SpecModel}. In event-time order the output must be
 * exactly the model's; with records reordered within less than T it must cover every invalidation the model
 * sends (the order rule of docs/semantics.md), extras allowed only to clients that used the inode.
 */
@Tag("slow")
class RandomTraceTest {
  private static final int EVENTS = 1_500;
  static final List<String> CLIENTS = List.of("c0", "c1", "c2", "c3", "c4");
  static final List<List<String>> PATTERN_SETS =
      List.of(
          List.of(),
          List.of("user.*"),
          List.of("security.selinux", "trusted.?1"),
          List.of("trusted.[xy]*", "system.*"),
          List.of("[!u]*"));
  static final List<String> XATTR_NAMES =
      List.of(
          "user.a",
          "user.b",
          "security.selinux",
          "trusted.x1",
          "trusted.y2",
          "system.posix_acl_access");
  private static final Fop[] FOPS = Fop.values();

  @ParameterizedTest(name = "seed {0}, pairs in {1}")
  @CsvSource({
    "1, rocksdb", "2, in-memory", "3, rocksdb", "4, in-memory",
    "5, rocksdb", "6, in-memory", "7, rocksdb", "8, in-memory"
  })
  void inEventTimeOrderTheOutputIsExactlyTheModels(long seed, String pairsStore) {
    Random random = new Random(seed);
    int timeout = 2 + random.nextInt(4);
    SpecModel model = new SpecModel(true, timeout);
    List<String> expected = new ArrayList<>();
    List<String> actual = new ArrayList<>();
    try (UpcallDriver driver = driver(timeout, pairsStore)) {
      Trace trace = new Trace(random);
      for (String client : CLIENTS) {
        register(driver, model, client, PATTERN_SETS.get(random.nextInt(PATTERN_SETS.size())));
      }
      for (int i = 0; i < EVENTS; i++) {
        if (random.nextInt(100) == 0) {
          boolean on = random.nextInt(3) > 0;
          driver.set(Switches.CACHE_INVALIDATION, on ? "on" : "off");
          model.setEnabled(on);
        }
        if (random.nextInt(50) == 0) {
          register(
              driver,
              model,
              CLIENTS.get(random.nextInt(CLIENTS.size())),
              PATTERN_SETS.get(random.nextInt(PATTERN_SETS.size())));
        }
        for (FopRecord fop : trace.next()) {
          driver.advanceWallClockTo(fop.getEventTimeMs());
          driver.pipe(fop);
          model.process(fop, fop.getFopId());
          driver
              .invalidations()
              .forEach(invalidation -> actual.add(SpecModel.describe(observed(invalidation))));
          model.drain().forEach(invalidation -> expected.add(SpecModel.describe(invalidation)));
        }
      }
    }
    assertThat(expected)
        .as("the model should send something in a trace this long")
        .hasSizeGreaterThan(100);
    assertThat(actual).as("seed %d, T=%d", seed, timeout).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "seed {0}, pairs in {1}")
  @CsvSource({
    "11, rocksdb", "12, in-memory", "13, rocksdb", "14, in-memory",
    "15, rocksdb", "16, in-memory", "17, rocksdb", "18, in-memory"
  })
  void reorderedWithinLessThanTNothingTheModelSendsIsMissed(long seed, String pairsStore) {
    Random random = new Random(seed);
    int timeout = 3 + random.nextInt(3);
    long reorderBoundMs = 800;
    SpecModel model = new SpecModel(true, timeout);
    Trace trace = new Trace(random);
    List<FopRecord> inOrder = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      inOrder.addAll(trace.next());
    }
    List<Arrival> arrivals = new ArrayList<>();
    for (int i = 0; i < inOrder.size(); i++) {
      arrivals.add(
          new Arrival(
              inOrder.get(i).getEventTimeMs() + random.nextInt((int) reorderBoundMs),
              i,
              inOrder.get(i)));
    }
    arrivals.sort(Comparator.comparingLong(Arrival::at).thenComparingInt(Arrival::index));
    assertThat(IntStream.range(0, arrivals.size()).anyMatch(i -> arrivals.get(i).index() != i))
        .as("the trace must really be reordered")
        .isTrue();

    List<SpecModel.Expected> expected = new ArrayList<>();
    List<SpecModel.Expected> actual = new ArrayList<>();
    try (UpcallDriver driver = driver(timeout, pairsStore)) {
      for (String client : CLIENTS) {
        register(driver, model, client, PATTERN_SETS.get(random.nextInt(PATTERN_SETS.size())));
      }
      for (FopRecord fop : inOrder) {
        model.process(fop, fop.getFopId());
      }
      expected.addAll(model.drain());
      long wallClock = 0;
      for (Arrival arrival : arrivals) {
        wallClock = Math.max(wallClock, arrival.fop().getEventTimeMs());
        driver.advanceWallClockTo(wallClock);
        driver.pipe(arrival.fop());
      }
      driver.invalidations().forEach(invalidation -> actual.add(observed(invalidation)));
    }

    assertThat(expected).hasSizeGreaterThan(100);
    Map<String, List<SpecModel.Expected>> actualByTarget =
        actual.stream().collect(Collectors.groupingBy(e -> e.client() + " " + e.gfid()));
    for (SpecModel.Expected needed : expected) {
      List<SpecModel.Expected> candidates =
          actualByTarget.getOrDefault(needed.client() + " " + needed.gfid(), List.of());
      assertThat(candidates)
          .as("seed %d, T=%d: nothing covers %s", seed, timeout, SpecModel.describe(needed))
          .anySatisfy(got -> assertThat(covers(got, needed)).isTrue());
    }
    Map<Gfid, Set<String>> accessed = SpecModel.everAccessed(inOrder);
    assertThat(actual)
        .allSatisfy(
            got ->
                assertThat(accessed.getOrDefault(got.gfid(), Set.of()))
                    .as(
                        "seed %d: %s went to a client that never used the inode",
                        seed, SpecModel.describe(got))
                    .contains(got.client()));
  }

  /** True when {@code got} tells the client at least what {@code needed} does, as late or later. */
  private static boolean covers(SpecModel.Expected got, SpecModel.Expected needed) {
    if (got.eventTimeMs() < needed.eventTimeMs()) {
      return false;
    }
    if (UpcallFlag.FORGET.in(got.flags())) {
      return true;
    }
    if ((got.flags() & needed.flags()) != needed.flags()) {
      return false;
    }
    if (got.xattrs().isEmpty()) {
      return true; // no names with an xattr flag: every xattr
    }
    Set<String> names = got.xattrs().stream().map(Xattr::getName).collect(Collectors.toSet());
    return needed.xattrs().stream().map(Xattr::getName).allMatch(names::contains);
  }

  private static SpecModel.Expected observed(Invalidation i) {
    return new SpecModel.Expected(
        i.getClient(),
        i.getGfid(),
        i.getFlags(),
        i.getXattrs(),
        i.getStat(),
        i.getParent(),
        i.getParentStat(),
        i.getOldParent(),
        i.getOldParentStat(),
        i.getEventTimeMs(),
        i.getCauseFopId(),
        i.getExpireTimeSeconds());
  }

  /** A bound far above a trace's pairs, which the heap of a test JVM holds. */
  private static UpcallDriver driver(int timeout, String pairsStore) {
    return new UpcallDriver(
        new Switches(true, timeout),
        Instant.ofEpochMilli(T0),
        1,
        Map.of("tracked-pairs-store", pairsStore, "max-tracked-pairs", 100_000));
  }

  private static void register(
      UpcallDriver driver, SpecModel model, String client, List<String> patterns) {
    driver.register(client, patterns.toArray(String[]::new));
    model.register(client, patterns);
  }

  private record Arrival(long at, int index, FopRecord fop) {}

  /**
   * A random but realistic trace: strictly increasing event times, parents drawn from directories and
   * targets from files, a forgotten inode never used again, replica copies right after their original.
   */
  static final class Trace {
    private final Random random;
    private final List<Gfid> dirs = List.of(Fops.gfid(1), Fops.gfid(2), Fops.gfid(3));
    private final List<Gfid> files = new ArrayList<>();
    private long nextGfid = 100;
    private long time = T0;
    private int count;

    Trace(Random random) {
      this.random = random;
      for (int i = 0; i < 6; i++) {
        files.add(Fops.gfid(nextGfid++));
      }
    }

    List<FopRecord> next() {
      int gap =
          random.nextInt(10) < 7
              ? random.nextInt(300)
              : random.nextInt(10) < 9 ? random.nextInt(1_500) : 2_000 + random.nextInt(6_000);
      time += 1 + gap;
      count++;
      Fop kind = FOPS[random.nextInt(FOPS.length - 1)]; // every kind but UNKNOWN
      Gfid target = pick(files);
      Gfid parent = pick(dirs);
      FopRecord.Builder fop =
          Fops.fop(kind, CLIENTS.get(random.nextInt(CLIENTS.size())), target, time)
              .setFopId("f" + count);
      if (random.nextBoolean()) {
        fop.setStat(stat(count * 10L + 1));
      }
      switch (kind) {
        case READDIRP:
          {
            fop.setGfid(parent);
            List<Gfid> entries = new ArrayList<>();
            entries.add(parent);
            for (Gfid file : files) {
              if (random.nextBoolean()) {
                entries.add(file);
              }
            }
            fop.setEntries(entries);
            break;
          }
        case SETATTR:
        case FSETATTR:
          fop.setModeChanged(random.nextBoolean());
          break;
        case CREATE:
        case MKNOD:
        case MKDIR:
        case SYMLINK:
          {
            Gfid created = Fops.gfid(nextGfid++);
            files.set(random.nextInt(files.size()), created);
            fop.setGfid(created).setParent(parent).setParentStat(maybeStat(2));
            break;
          }
        case UNLINK:
        case RMDIR:
          {
            int nlink = kind == Fop.RMDIR ? 0 : random.nextInt(3);
            fop.setParent(parent)
                .setParentStat(maybeStat(2))
                .setNlink(kind == Fop.RMDIR ? null : nlink);
            if (nlink == 0) {
              retire(target);
            }
            break;
          }
        case LINK:
          fop.setParent(parent).setParentStat(maybeStat(2)).setNlink(2);
          break;
        case RENAME:
          {
            Gfid newParent = random.nextBoolean() ? parent : pick(dirs);
            fop.setParent(parent)
                .setParentStat(maybeStat(2))
                .setNewParent(newParent)
                .setNewParentStat(maybeStat(3));
            if (random.nextBoolean()) {
              Gfid overwritten = pick(files);
              if (!overwritten.equals(target)) {
                int nlink = random.nextInt(2);
                fop.setOverwritten(overwritten).setOverwrittenNlink(nlink);
                if (nlink == 0) {
                  retire(overwritten);
                }
              }
            }
            break;
          }
        case SETXATTR:
        case FSETXATTR:
        case REMOVEXATTR:
        case FREMOVEXATTR:
          {
            List<Xattr> xattrs = new ArrayList<>();
            for (String name : XATTR_NAMES) {
              if (random.nextInt(3) == 0) {
                xattrs.add(
                    xattr(
                        name,
                        kind.name().startsWith("REMOVE") || kind.name().startsWith("FREMOVE")
                            ? null
                            : "v" + count));
              }
            }
            if (xattrs.isEmpty()) {
              xattrs.add(xattr(XATTR_NAMES.get(random.nextInt(XATTR_NAMES.size())), null));
            }
            fop.setXattrs(xattrs);
            break;
          }
        default:
          break;
      }
      if (random.nextInt(10) < 3) {
        fop.setTxId(fop.getClient() + ":" + count);
      }
      FopRecord original = fop.build();
      if (original.getTxId() != null && random.nextInt(4) == 0) {
        return List.of(original, FopRecord.newBuilder(original).setBrick("brick-2").build());
      }
      return List.of(original);
    }

    private Iatt maybeStat(long kind) {
      return random.nextBoolean() ? stat(count * 10L + kind) : null;
    }

    private Gfid pick(List<Gfid> from) {
      return from.get(random.nextInt(from.size()));
    }

    /** A forgotten inode is gone: a new one takes its place in the namespace. */
    private void retire(Gfid gone) {
      int at = files.indexOf(gone);
      if (at >= 0) {
        files.set(at, Fops.gfid(nextGfid++));
      }
    }
  }
}
