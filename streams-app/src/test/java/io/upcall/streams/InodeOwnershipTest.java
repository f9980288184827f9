package io.upcall.streams;

import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.gfid;
import static io.upcall.streams.Fops.stat;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.Gfids;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where inode events are processed: in the task that read the fop when it owns the inode, else in the owner after
 * the repartition; and a topology whose events take both paths decides exactly as SpecModel does.
 */
class InodeOwnershipTest {
  private static final int PARTITIONS = 4;

  @Test
  void anEventStaysInTheTaskThatReadItExactlyWhenTheRepartitionWouldBringItBackThere() {
    for (int task = 0; task < PARTITIONS; task++) {
      List<Record<String, PerInodeFanOut.Routed>> out = fanOut(task, writesTo(200));
      assertThat(out).hasSize(200);
      for (Record<String, PerInodeFanOut.Routed> record : out) {
        int owner = partitionerPlaces(record.key());
        assertThat(record.value().here())
            .as("task %d, gfid %s owned by %d", task, record.key(), owner)
            .isEqualTo(owner == task);
      }
    }
  }

  @Test
  void theOwnerIsWhereKafkasDefaultPartitionerPutsTheGfidKey() {
    for (int n = 0; n < 200; n++) {
      String gfid = Gfids.format(gfid(n));
      for (int partitions : new int[] {1, 4, 12, 13}) {
        assertThat(PerInodeFanOut.partitionOf(gfid, partitions))
            .as("%s of %d", gfid, partitions)
            .isEqualTo(
                BuiltInPartitioner.partitionForKey(
                    gfid.getBytes(StandardCharsets.UTF_8), partitions));
      }
    }
  }

  @Test
  void aReaddirpSendsOneEventPerPartitionOwningListedEntriesKeyedByOneOfThem() {
    Gfid dir = gfid(1);
    List<Gfid> entries = new ArrayList<>(List.of(dir));
    for (int i = 0; i < 40; i++) {
      entries.add(gfid(100 + i));
    }
    FopRecord listing =
        fop(Fop.READDIRP, "B", dir, T0).setEntries(entries).setStat(stat(7)).build();

    List<Record<String, PerInodeFanOut.Routed>> out = fanOut(0, List.of(listing));

    assertThat(out.get(0).value().event().getRole()).isEqualTo(InodeRole.TARGET);
    assertThat(out.get(0).key()).isEqualTo(Gfids.format(dir));
    assertThat(out.get(0).value().event().getFop().getEntries()).isEmpty();
    List<Record<String, PerInodeFanOut.Routed>> listed = out.subList(1, out.size());
    Set<Integer> owners = new HashSet<>();
    List<Gfid> delivered = new ArrayList<>();
    for (Record<String, PerInodeFanOut.Routed> record : listed) {
      FopRecord batch = record.value().event().getFop();
      int owner = partitionerPlaces(record.key());
      assertThat(record.value().event().getRole()).isEqualTo(InodeRole.LISTED_ENTRY);
      assertThat(owners.add(owner)).as("one event per owning partition").isTrue();
      assertThat(batch.getEntries())
          .allSatisfy(entry -> assertThat(partitionerPlaces(Gfids.format(entry))).isEqualTo(owner));
      assertThat(Gfids.format(batch.getEntries().get(0))).isEqualTo(record.key());
      assertThat(batch.getStat()).as("a touch needs no stat").isNull();
      assertThat(record.value().here()).isEqualTo(owner == 0);
      delivered.addAll(batch.getEntries());
    }
    assertThat(delivered)
        .as("every entry but the directory itself, once")
        .containsExactlyInAnyOrderElementsOf(entries.subList(1, entries.size()));
  }

  @Test
  void aReadOfEntriesOwnedElsewhereStillMakesTheirReadersFresh() {
    Gfid dir = gfid(1);
    List<Gfid> entries = IntStream.range(0, 24).mapToObj(i -> gfid(500 + i)).toList();
    try (UpcallDriver driver =
        new UpcallDriver(Switches.DEFAULTS, Instant.ofEpochMilli(T0), PARTITIONS)) {
      driver.pipe(fop(Fop.READDIRP, "B", dir, T0).setEntries(entries).build());
      for (int i = 0; i < entries.size(); i++) {
        driver.pipe(fop(Fop.WRITE, "A", entries.get(i), T0 + 10 + i).setStat(stat(i)).build());
      }

      List<Invalidation> told = driver.invalidations();
      assertThat(told).extracting(Invalidation::getClient).containsOnly("B");
      assertThat(told)
          .extracting(Invalidation::getGfid)
          .containsExactlyInAnyOrderElementsOf(entries);
      assertThat(
              entries.stream()
                  .map(entry -> partitionerPlaces(Gfids.format(entry)))
                  .distinct()
                  .count())
          .as("the entries span partitions")
          .isGreaterThan(1);
    }
  }

  @Tag("slow")
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23, 24})
  void withEventsOnBothPathsEachFopIsDecidedExactlyAsTheModelDecides(long seed) {
    Random random = new Random(seed);
    int timeout = 2 + random.nextInt(4);
    SpecModel model = new SpecModel(true, timeout);
    int inPlace = 0;
    int crossed = 0;
    try (UpcallDriver driver =
        new UpcallDriver(new Switches(true, timeout), Instant.ofEpochMilli(T0), PARTITIONS)) {
      for (String client : RandomTraceTest.CLIENTS) {
        List<String> patterns =
            RandomTraceTest.PATTERN_SETS.get(random.nextInt(RandomTraceTest.PATTERN_SETS.size()));
        driver.register(client, patterns.toArray(String[]::new));
        model.register(client, patterns);
      }
      RandomTraceTest.Trace trace = new RandomTraceTest.Trace(random);
      int sent = 0;
      for (int i = 0; i < 1_500; i++) {
        for (FopRecord fop : trace.next()) {
          if (partitionerPlaces(Gfids.format(fop.getGfid())) == 0) {
            inPlace++;
          } else {
            crossed++;
          }
          driver.advanceWallClockTo(fop.getEventTimeMs());
          driver.pipe(fop);
          model.process(fop, fop.getFopId());
          // A fop's events reach the processor by two paths, so the order among its own inodes may
          // differ.
          List<String> actual =
              driver.invalidations().stream()
                  .map(invalidation -> SpecModel.describe(observed(invalidation)))
                  .sorted()
                  .toList();
          List<String> expected = model.drain().stream().map(SpecModel::describe).sorted().toList();
          assertThat(actual).as("seed %d, T=%d, %s", seed, timeout, fop).isEqualTo(expected);
          sent += expected.size();
        }
      }
      assertThat(sent)
          .as("the model should send something in a trace this long")
          .isGreaterThan(100);
    }
    assertThat(inPlace).as("fops processed in place").isPositive();
    assertThat(crossed).as("fops whose target crossed the repartition").isPositive();
  }

  private static List<FopRecord> writesTo(int inodes) {
    Random random = new Random(3);
    List<FopRecord> writes = new ArrayList<>();
    for (int i = 0; i < inodes; i++) {
      writes.add(
          fop(Fop.WRITE, "A", Gfids.of(new UUID(random.nextLong(), random.nextLong())), T0)
              .setStat(stat(1))
              .build());
    }
    return writes;
  }

  private static List<Record<String, PerInodeFanOut.Routed>> fanOut(
      int task, List<FopRecord> fops) {
    MockProcessorContext<String, PerInodeFanOut.Routed> context =
        new MockProcessorContext<>(new Properties(), new TaskId(0, task), null);
    PerInodeFanOut fanOut = new PerInodeFanOut(PARTITIONS);
    fanOut.init(context);
    for (FopRecord fop : fops) {
      fanOut.process(
          new Record<>(
              Gfids.format(fop.getGfid()).getBytes(StandardCharsets.UTF_8),
              new CheckedFop.Accepted(fop, fop.getFopId() == null ? "f" : fop.getFopId()),
              fop.getEventTimeMs()));
    }
    List<Record<String, PerInodeFanOut.Routed>> forwarded = new ArrayList<>();
    for (MockProcessorContext.CapturedForward<? extends String, ? extends PerInodeFanOut.Routed>
        captured : context.forwarded()) {
      forwarded.add(
          new Record<>(
              captured.record().key(), captured.record().value(), captured.record().timestamp()));
    }
    return forwarded;
  }

  /** The partition the inode repartition's partitioner gives an event keyed {@code gfid}. */
  private static int partitionerPlaces(String gfid) {
    Set<Integer> partitions =
        ProgressRouting.inodeEventsAndProgress()
            .partitions(
                "inode-events", gfid, (SpecificRecord) null, new RecordHeaders(), PARTITIONS)
            .orElseThrow();
    assertThat(partitions).hasSize(1);
    return partitions.iterator().next();
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
}
