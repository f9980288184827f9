package io.upcall.producers.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.schemas.Gfids;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class FopGeneratorTest {
  private static final long START_MS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final Set<Fop> READS =
      EnumSet.of(
          Fop.LOOKUP,
          Fop.STAT,
          Fop.FSTAT,
          Fop.ACCESS,
          Fop.READ,
          Fop.READLINK,
          Fop.OPEN,
          Fop.OPENDIR,
          Fop.GETXATTR,
          Fop.READDIRP);

  @Tag("slow")
  @Test
  void namespaceStaysConsistentOverALongChurningRun() {
    // A small tree with a heavy entry mix churns every file many times over.
    LoadSpec spec =
        LoadSpec.builder()
            .directories(12)
            .files(150)
            .clients(7)
            .readRatio(0.3)
            .writeWeight(2)
            .metadataWeight(2)
            .entryWeight(6)
            .seed(7)
            .build();
    ReplayedTree tree = replay(spec, 300_000);

    Map<Fop, Integer> applied = tree.applied();
    assertThat(applied.get(Fop.UNLINK)).isGreaterThan(10_000);
    assertThat(applied.get(Fop.RMDIR)).isGreaterThan(100);
    assertThat(applied.get(Fop.LINK)).isGreaterThan(1_000);
    assertThat(applied.get(Fop.SYMLINK)).isGreaterThan(100);
    assertThat(tree.renamesOverExisting()).isGreaterThan(1_000);
    assertThat(tree.renamesOfDirectories()).isGreaterThan(100);
    assertThat(tree.unlinksOfHardLinkedFiles()).isGreaterThan(100);
    assertThat(tree.listedEntries()).isGreaterThan(10_000);
  }

  @Tag("slow")
  @Test
  void defaultVolumeStaysConsistentAndNearItsSize() {
    FopGenerator generator = new FopGenerator(LoadSpec.defaults());
    ReplayedTree tree = new ReplayedTree();
    for (int i = 0; i < 200_000; i++) {
      tree.apply(generator.next(START_MS + i / 10));
    }
    assertThat(generator.populating()).isFalse();
    assertThat(generator.fileCount()).isBetween(7_500, 12_500);
    assertThat(generator.directoryCount()).isBetween(50, 126);
    assertThat(tree.inodes()).isEqualTo(generator.fileCount() + generator.directoryCount());
  }

  @Test
  void replicatedVolumePublishesEachModifyingFopFromEveryReplicaWithOneTxId() {
    LoadSpec spec =
        LoadSpec.builder().bricks(6).replicas(3).files(500).directories(20).seed(3).build();
    FopGenerator generator = new FopGenerator(spec);
    ReplayedTree tree = new ReplayedTree();
    Set<String> txIds = new HashSet<>();
    Map<String, Set<String>> setsByFirstBrick = new HashMap<>();
    int modifying = 0;
    for (int i = 0; i < 50_000; i++) {
      List<FopRecord> records = generator.next(START_MS + i);
      tree.apply(records);
      FopRecord first = records.get(0);
      if (READS.contains(first.getFop())) {
        assertThat(records).hasSize(1);
        assertThat(first.getTxId()).isNull();
        continue;
      }
      modifying++;
      assertThat(records).hasSize(3);
      assertThat(records).extracting(FopRecord::getTxId).containsOnly(first.getTxId());
      assertThat(txIds.add(first.getTxId())).as("txId is unique per fop").isTrue();
      assertThat(records).extracting(FopRecord::getFopId).doesNotHaveDuplicates();
      Set<String> set = new HashSet<>();
      records.forEach(r -> set.add(r.getBrick()));
      setsByFirstBrick.computeIfAbsent(first.getBrick(), b -> new HashSet<>(set));
      assertThat(set).isEqualTo(setsByFirstBrick.get(first.getBrick()));
    }
    assertThat(modifying).isGreaterThan(10_000);
    assertThat(setsByFirstBrick).as("both replica sets are used").hasSize(2);
  }

  @Test
  void sameSeedGivesSameRecordsAndAnotherSeedDoesNot() {
    LoadSpec spec =
        LoadSpec.builder().files(300).directories(10).replicas(3).bricks(3).seed(11).build();
    List<FopRecord> first = run(spec, 20_000);
    List<FopRecord> second = run(spec, 20_000);
    List<FopRecord> other = run(spec.toBuilder().seed(12).build(), 20_000);
    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void defaultMixIsAboutEightyPercentReads() {
    FopGenerator generator = new FopGenerator(LoadSpec.defaults());
    drainPrelude(generator);
    Map<Fop, Integer> counts = new HashMap<>();
    int total = 100_000;
    for (int i = 0; i < total; i++) {
      counts.merge(generator.next(START_MS).get(0).getFop(), 1, Integer::sum);
    }
    int reads =
        counts.entrySet().stream()
            .filter(e -> READS.contains(e.getKey()))
            .mapToInt(Map.Entry::getValue)
            .sum();
    assertThat(reads / (double) total).isBetween(0.78, 0.82);
    assertThat(counts.get(Fop.WRITE) / (double) total).isBetween(0.07, 0.11);
    assertThat(counts)
        .containsKeys(
            Fop.CREATE,
            Fop.UNLINK,
            Fop.RENAME,
            Fop.MKDIR,
            Fop.SETATTR,
            Fop.SETXATTR,
            Fop.REMOVEXATTR,
            Fop.READDIRP,
            Fop.GETXATTR,
            Fop.TRUNCATE);
  }

  @Test
  void zipfSkewConcentratesReadsOnFewFiles() {
    LoadSpec skewed = LoadSpec.builder().readRatio(1).zipfExponent(1.2).seed(5).build();
    LoadSpec uniform = skewed.toBuilder().zipfExponent(0).build();
    assertThat(shareOfHottestTenFiles(skewed)).isGreaterThan(0.3);
    assertThat(shareOfHottestTenFiles(uniform)).isLessThan(0.01);
  }

  @Test
  void withoutPopulateTheTreeExistsBeforeTheFirstFop() {
    FopGenerator generator = new FopGenerator(LoadSpec.builder().populate(false).seed(9).build());
    assertThat(generator.next(START_MS)).isNotEmpty();
    assertThat(generator.fops()).isEqualTo(1);
    assertThat(generator.fileCount()).isGreaterThanOrEqualTo(9_999);
    assertThat(generator.directoryCount()).isGreaterThanOrEqualTo(99);
  }

  @Test
  void clientUidsFollowGlusterFsFormat() {
    FopGenerator generator = new FopGenerator(LoadSpec.builder().clients(3).build());
    assertThat(generator.clients())
        .hasSize(3)
        .doesNotHaveDuplicates()
        .allSatisfy(
            uid ->
                assertThat(uid)
                    .matches(
                        "CTX_ID:[0-9a-f-]{36}-GRAPH_ID:0-PID:\\d+-HOST:client\\d+-PC_NAME:vol0-client-0-RECON_NO:-0"));
    assertThat(generator.bricks())
        .containsExactly(
            "server1:/bricks/vol0/brick1",
            "server2:/bricks/vol0/brick2",
            "server3:/bricks/vol0/brick3");
  }

  @Test
  void specRefusesValuesOutOfRangeNamingThem() {
    assertThatThrownBy(() -> LoadSpec.builder().bricks(4).replicas(3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bricks must be a multiple of replicas");
    assertThatThrownBy(() -> LoadSpec.builder().readRatio(1.5).build())
        .hasMessageContaining("readRatio");
    assertThatThrownBy(() -> LoadSpec.builder().files(0).build()).hasMessageContaining("files");
    assertThatThrownBy(() -> LoadSpec.builder().zipfExponent(-1).build())
        .hasMessageContaining("zipfExponent");
  }

  private static double shareOfHottestTenFiles(LoadSpec spec) {
    FopGenerator generator = new FopGenerator(spec);
    drainPrelude(generator);
    Map<String, Integer> hits = new HashMap<>();
    int total = 0;
    for (int i = 0; i < 100_000; i++) {
      FopRecord record = generator.next(START_MS).get(0);
      if (record.getFop() == Fop.READ) {
        hits.merge(Gfids.format(record.getGfid()), 1, Integer::sum);
        total++;
      }
    }
    return hits.values().stream()
            .sorted((a, b) -> b - a)
            .limit(10)
            .mapToInt(Integer::intValue)
            .sum()
        / (double) total;
  }

  private static void drainPrelude(FopGenerator generator) {
    while (generator.populating()) {
      generator.next(START_MS);
    }
  }

  private static ReplayedTree replay(LoadSpec spec, int fops) {
    FopGenerator generator = new FopGenerator(spec);
    ReplayedTree tree = new ReplayedTree();
    for (int i = 0; i < fops; i++) {
      tree.apply(generator.next(START_MS + i / 3));
    }
    return tree;
  }

  private static List<FopRecord> run(LoadSpec spec, int fops) {
    FopGenerator generator = new FopGenerator(spec);
    List<FopRecord> out = new ArrayList<>();
    for (int i = 0; i < fops; i++) {
      out.addAll(generator.next(START_MS + i));
    }
    return out;
  }
}
