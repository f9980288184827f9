package io.upcall.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The truth the demo judges caches by: a stale answer is told apart from one replaced within the bound. */
class TruthTreeTest {
  private static final Duration BOUND = Duration.ofSeconds(2);
  private static final String ALICE = "alice";

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  private final AtomicLong wallClockMs = new AtomicLong(System.currentTimeMillis());
  private final SplittableRandom choice = new SplittableRandom(7);
  private EventClock clock;
  private TruthTree tree;

  @BeforeEach
  void oneDirectoryWithOneFile() {
    UpcallTopics topics = kafka.uniqueTopics();
    clock = new EventClock(wallClockMs::get);
    BrickPublisher brick =
        BrickPublisher.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .volume("demo")
            .brick("brick-1")
            .topics(topics)
            .clock(clock.heartbeats())
            .build();
    tree = new TruthTree(clock, List.of(brick), new LatencyProbe(), BOUND, 1, 1, 42);
  }

  @AfterEach
  void close() {
    tree.close();
  }

  @Test
  void theStatALookupReturnedIsCurrentUntilTheFileChanges() {
    Gfid file = onlyFile();
    Iatt stat = tree.lookup(ALICE, file).orElseThrow();

    assertThat(tree.check(file, stat, wallClockMs.get() + 60_000).verdict())
        .isEqualTo(TruthTree.Verdict.CURRENT);
  }

  @Test
  void aReplacedStatIsWithinTheBoundForTheBoundAndStaleAfterIt() {
    Gfid file = onlyFile();
    Iatt before = tree.lookup(ALICE, file).orElseThrow();
    wallClockMs.addAndGet(10);
    tree.write(ALICE, choice).orElseThrow();
    long changedAtMs = wallClockMs.get();

    assertThat(tree.check(file, before, changedAtMs - 1).verdict())
        .isEqualTo(TruthTree.Verdict.CURRENT);
    assertThat(tree.check(file, before, changedAtMs + BOUND.toMillis()).verdict())
        .isEqualTo(TruthTree.Verdict.WITHIN_BOUND);
    TruthTree.Check late = tree.check(file, before, changedAtMs + BOUND.toMillis() + 1);
    assertThat(late.verdict()).isEqualTo(TruthTree.Verdict.STALE);
    assertThat(late.detail()).contains("replaced 2001 ms before it was served");
    assertThat(
            tree.check(file, tree.lookup(ALICE, file).orElseThrow(), changedAtMs + 60_000)
                .verdict())
        .isEqualTo(TruthTree.Verdict.CURRENT);
  }

  @Test
  void aStatTheBricksNeverReturnedIsStale() {
    Gfid file = onlyFile();
    Iatt made =
        Iatt.newBuilder(tree.lookup(ALICE, file).orElseThrow()).setSize(123_456_789L).build();

    TruthTree.Check check = tree.check(file, made, wallClockMs.get());

    assertThat(check.verdict()).isEqualTo(TruthTree.Verdict.STALE);
    assertThat(check.detail()).contains("never returned");
  }

  @Test
  void anUnlinkedFileIsStaleOnceTheBoundPassed() {
    Gfid file = onlyFile();
    Iatt stat = tree.lookup(ALICE, file).orElseThrow();

    TruthTree.Unlinked unlinked = tree.unlink(ALICE, choice).orElseThrow();

    assertThat(unlinked.file()).isEqualTo(file);
    assertThat(tree.lookup(ALICE, file)).isEmpty();
    assertThat(tree.check(file, stat, wallClockMs.get() + 1_000).verdict())
        .isEqualTo(TruthTree.Verdict.WITHIN_BOUND);
    assertThat(tree.check(file, stat, wallClockMs.get() + 5_000).detail()).contains("by an unlink");
  }

  @Test
  void eventTimesOnOneInodeStrictlyIncreaseEvenWhenTheClockStandsStill() {
    Gfid file = onlyFile();
    tree.write(ALICE, choice);
    long firstWrite = TruthTree.ctimeMs(tree.lookup(ALICE, file).orElseThrow());

    tree.write(ALICE, choice);
    long secondWrite = TruthTree.ctimeMs(tree.lookup(ALICE, file).orElseThrow());

    // On the frozen clock the lookup after the first write takes the next millisecond and the
    // second write the one after: a lookup that read the old stat is always earlier than the change
    // (the ordering rule needs it).
    assertThat(secondWrite).isEqualTo(firstWrite + 2);
    assertThat(firstWrite).isGreaterThan(wallClockMs.get());
  }

  @Test
  void heartbeatsNeverClaimAFopNotYetHandedOver() {
    long stamp = clock.stamp(Long.MIN_VALUE);
    wallClockMs.addAndGet(500);

    assertThat(clock.heartbeats().millis()).isLessThan(stamp + 1);
    clock.handedOff(stamp);
    assertThat(clock.heartbeats().millis()).isEqualTo(stamp);
    clock.idle();
    assertThat(clock.heartbeats().millis()).isEqualTo(wallClockMs.get());
  }

  private Gfid onlyFile() {
    // Four lookups out of five pick a file; with one file and one directory, a few picks find it.
    for (int i = 0; i < 100; i++) {
      Gfid gfid = tree.pickForRead(choice);
      if (tree.lookup(ALICE, gfid).orElseThrow().getType() == IaType.REG) {
        return gfid;
      }
    }
    throw new AssertionError("no file in the tree");
  }
}
