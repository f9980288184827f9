package io.upcall.streams;

import static io.upcall.streams.Fops.FILE;
import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.fop;
import static io.upcall.streams.Fops.gfid;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.BatchedChange;
import io.upcall.avro.Fop;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.avro.ProgressMark;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.ClientPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The batched format: what a batch holds, when it is written, and what progress marks may claim meanwhile. */
class BatchedDeliveryTest {
  private static final int READERS = 40;
  private static final Duration LONG_DELAY = Duration.ofSeconds(10);
  private static final long LEARNED = T0 + ProgressMarks.LEARNING_SPAN.toMillis();

  @Test
  void aChangeIsOneRecordListingEveryRecipientWithTheSameInvalidationsAsPerClient() {
    List<Invalidation> perClient;
    try (UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS.withFormat("per-client"))) {
      readersThenWrite(driver, FILE, T0 + 100, 1);
      perClient = driver.invalidations();
    }
    try (UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS)) {
      readersThenWrite(driver, FILE, T0 + 100, 1);
      List<TestRecord<String, SpecificRecord>> records = driver.records();

      assertThat(records)
          .singleElement()
          .satisfies(
              record -> {
                assertThat(record.key()).as("a batch has no client key").isNull();
                InvalidationBatch batch = (InvalidationBatch) record.value();
                assertThat(batch.getChanges()).as("one change, encoded once").hasSize(1);
                assertThat(batch.getChanges().get(0).getRecipients()).hasSize(READERS);
                assertThat(expand(record)).containsExactlyElementsOf(perClient);
              });
    }
    assertThat(perClient).hasSize(READERS);
  }

  @Test
  void aBatchWaitsForItsDelayAndPacksTheChangesToldMeanwhile() {
    try (UpcallDriver driver =
        batching(new BatchSettings(Duration.ofMillis(5), BatchSettings.MAX_BYTES_DEFAULT))) {
      readersThenWrite(driver, gfid(10), T0 + 100, 1);
      readersThenWrite(driver, gfid(11), T0 + 300, 1);
      assertThat(driver.records()).as("nothing before the delay").isEmpty();

      driver.advanceWallClockTo(T0 + 5);

      List<TestRecord<String, SpecificRecord>> records = driver.records();
      assertThat(records)
          .singleElement()
          .satisfies(
              record ->
                  assertThat(((InvalidationBatch) record.value()).getChanges())
                      .as("both changes, one record")
                      .hasSize(2));
      assertThat(driver.storeSize(InvalidationOutbox.STORE)).as("the outbox once written").isZero();
    }
  }

  @Test
  void aBatchIsWrittenAtOnceWhenItReachesItsSize() {
    try (UpcallDriver driver = batching(new BatchSettings(LONG_DELAY, 1024))) {
      for (int c = READERS; c < 4 * READERS; c++) {
        driver.pipe(fop(Fop.LOOKUP, "reader-" + c, FILE, T0 + c).build());
      }
      readersThenWrite(driver, FILE, T0 + 100, 1);

      List<TestRecord<String, SpecificRecord>> records = driver.records();
      assertThat(records)
          .as("written without waiting, each under the bound plus one entry")
          .isNotEmpty()
          .allSatisfy(
              record ->
                  assertThat(
                          UpcallSerdes.invalidationBatch()
                              .serializer()
                              .serialize("t", (InvalidationBatch) record.value()))
                      .hasSizeLessThan(1024 + 200));
      driver.advanceWallClockTo(T0 + LONG_DELAY.toMillis());
      records.addAll(driver.records());
      assertThat(records.stream().flatMap(record -> expand(record).stream())).hasSize(4 * READERS);
    }
  }

  @Test
  void aFanOutToManyIsWrittenAtOnceWhileASmallOneWaitsForTheDelay() {
    try (UpcallDriver driver =
        batching(new BatchSettings(LONG_DELAY, BatchSettings.MAX_BYTES_DEFAULT))) {
      int many = ChunkedFanOut.WRITE_AT_ONCE;
      for (int c = 0; c < many; c++) {
        driver.pipe(fop(Fop.LOOKUP, "r" + c, gfid(20), T0 + c).build());
      }
      driver.pipe(fop(Fop.WRITE, "writer", gfid(20), T0 + many).setStat(stat(1)).build());

      List<TestRecord<String, SpecificRecord>> written = driver.records();
      assertThat(written.stream().flatMap(record -> expand(record).stream()))
          .as("every recipient, before the %s delay", LONG_DELAY)
          .hasSize(many);
      assertThat(driver.storeSize(InvalidationOutbox.STORE)).as("nothing left open").isZero();

      readersThenWrite(driver, gfid(21), T0 + 2 * many, 1);
      assertThat(driver.records()).as("a fan-out to %d waits", READERS).isEmpty();
    }
  }

  @Test
  void theOutboxStoreHoldsWhatAnOpenBatchHoldsBetweenRecords() {
    try (UpcallDriver driver =
        batching(new BatchSettings(LONG_DELAY, BatchSettings.MAX_BYTES_DEFAULT))) {
      readersThenWrite(driver, FILE, T0 + 100, 1);

      KeyValueStore<Bytes, byte[]> outbox = driver.store(InvalidationOutbox.STORE);
      List<String> journaled = new ArrayList<>();
      try (var all = outbox.all()) {
        all.forEachRemaining(
            entry -> OpenBatch.replay(entry.value, (client, change) -> journaled.add(client)));
      }
      assertThat(journaled).as("every recipient, durable before any commit").hasSize(READERS);
      assertThat(InvalidationOutbox.earliestEventTimeMs(outbox)).isEqualTo(T0 + 100 + READERS);
    }
  }

  @Test
  void noProgressMarkClaimsAChangeStillInABatch() {
    try (UpcallDriver driver =
        batching(new BatchSettings(LONG_DELAY, BatchSettings.MAX_BYTES_DEFAULT))) {
      driver.heartbeat("brick-1", T0);
      readersThenWrite(driver, FILE, T0 + 100, 1);
      driver.heartbeat("brick-1", LEARNED);
      driver.advanceWallClockTo(T0 + ProgressMarks.INTERVAL_MS_DEFAULT);

      List<ProgressMark> held = marks(driver.records());
      assertThat(held)
          .as("marks while the batch is open")
          .isNotEmpty()
          .allSatisfy(mark -> assertThat(mark.getWatermarkMs()).isLessThan(T0 + 100 + READERS));

      driver.advanceWallClockTo(T0 + LONG_DELAY.toMillis());
      driver.advanceWallClockTo(T0 + LONG_DELAY.toMillis() + ProgressMarks.INTERVAL_MS_DEFAULT);
      List<TestRecord<String, SpecificRecord>> after = driver.records();
      int batchAt = indexOf(after, InvalidationBatch.class);
      assertThat(batchAt).as("the batch is written").isNotNegative();
      assertThat(marks(after.subList(batchAt, after.size())))
          .as("marks after it claim the heartbeat")
          .isNotEmpty()
          .last()
          .extracting(ProgressMark::getWatermarkMs)
          .isEqualTo(LEARNED);
    }
  }

  @Test
  void aRecipientsTwoChangesOfOneInodeInOneBatchFoldIntoOne() {
    int unionOfFlags;
    try (UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS.withFormat("per-client"))) {
      readersThenWrite(driver, FILE, T0 + 100, 1);
      driver.pipe(fop(Fop.SETATTR, "writer", FILE, T0 + 900).setStat(stat(2)).build());
      List<Invalidation> unfolded = driver.invalidations();
      assertThat(unfolded).as("two per reader, per client").hasSize(2 * READERS);
      unionOfFlags = unfolded.stream().mapToInt(Invalidation::getFlags).reduce(0, (a, b) -> a | b);
    }
    try (UpcallDriver driver =
        batching(new BatchSettings(LONG_DELAY, BatchSettings.MAX_BYTES_DEFAULT))) {
      readersThenWrite(driver, FILE, T0 + 100, 1);
      driver.pipe(fop(Fop.SETATTR, "writer", FILE, T0 + 900).setStat(stat(2)).build());
      driver.advanceWallClockTo(T0 + LONG_DELAY.toMillis());

      List<Invalidation> told = driver.invalidations();
      assertThat(told)
          .as("one per reader, not two")
          .hasSize(READERS)
          .allSatisfy(
              invalidation -> {
                assertThat(invalidation.getStat().getCtimeSec()).as("the newer stat").isEqualTo(2);
                assertThat(invalidation.getFlags())
                    .as("both changes' flags")
                    .isEqualTo(unionOfFlags);
              });
    }
  }

  @Test
  void switchingToPerClientWritesTheOpenBatchesFirst() {
    try (UpcallDriver driver =
        batching(new BatchSettings(LONG_DELAY, BatchSettings.MAX_BYTES_DEFAULT))) {
      readersThenWrite(driver, FILE, T0 + 100, 1);
      driver.set(Switches.INVALIDATION_FORMAT, "per-client");
      driver.pipe(fop(Fop.WRITE, "writer", FILE, T0 + 900).setStat(stat(2)).build());

      List<TestRecord<String, SpecificRecord>> records = driver.records();
      assertThat(records.get(0).value())
          .as("the batch first")
          .isInstanceOf(InvalidationBatch.class);
      assertThat(records.subList(1, records.size()))
          .hasSize(READERS)
          .allSatisfy(
              record ->
                  assertThat(record.value())
                      .isInstanceOfSatisfying(
                          Invalidation.class,
                          invalidation ->
                              assertThat(record.key()).isEqualTo(invalidation.getClient())));
    }
  }

  @Test
  void aBatchGroupedUnderAnOldPartitionCountGoesWhereverItsRecipientsNowRead() {
    InvalidationPartitions partitions = new InvalidationPartitions(4);
    List<String> recipients = IntStream.range(0, 50).mapToObj(c -> "client-" + c).toList();
    InvalidationBatch grouped =
        new InvalidationBatch(3, 4, List.of(new BatchedChange(recipients, ByteBuffer.allocate(0))));

    assertThat(partitions.partitioner().partitions("t", null, grouped, 4)).contains(Set.of(3));
    Set<Integer> now =
        recipients.stream().map(uid -> ClientPartition.of(uid, 7)).collect(Collectors.toSet());
    assertThat(partitions.partitioner().partitions("t", null, grouped, 7)).contains(now);
    assertThat(partitions.count()).as("later batches group by the count learned").isEqualTo(7);
  }

  @Test
  void theClientPartitionIsWhereKafkasDefaultPartitionerPutsTheUidKey() {
    for (int c = 0; c < 200; c++) {
      String uid = "client-" + c;
      byte[] key = uid.getBytes(StandardCharsets.UTF_8);
      assertThat(ClientPartition.of(uid, 12))
          .isEqualTo(BuiltInPartitioner.partitionForKey(key, 12));
    }
  }

  private static UpcallDriver batching(BatchSettings settings) {
    return new UpcallDriver(Switches.DEFAULTS, Instant.ofEpochMilli(T0), 1, Map.of(), settings);
  }

  /** READERS clients look {@code inode} up, one per millisecond from {@code at}, then "writer" writes it. */
  private static void readersThenWrite(UpcallDriver driver, Gfid inode, long at, long ctime) {
    for (int c = 0; c < READERS; c++) {
      driver.pipe(fop(Fop.LOOKUP, "reader-" + c, inode, at + c).build());
    }
    driver.pipe(fop(Fop.WRITE, "writer", inode, at + READERS).setStat(stat(ctime)).build());
  }

  private static Iatt stat(long ctimeSec) {
    return Iatt.newBuilder(Fops.stat(ctimeSec)).setCtimeSec(ctimeSec).setType(IaType.REG).build();
  }

  private static List<Invalidation> expand(TestRecord<String, SpecificRecord> record) {
    return InvalidationBatches.perClient(
        record.value(), "t", UpcallSerdes.invalidation().deserializer());
  }

  private static List<ProgressMark> marks(List<TestRecord<String, SpecificRecord>> records) {
    return records.stream()
        .map(TestRecord::value)
        .filter(ProgressMark.class::isInstance)
        .map(ProgressMark.class::cast)
        .toList();
  }

  private static int indexOf(List<TestRecord<String, SpecificRecord>> records, Class<?> type) {
    for (int i = 0; i < records.size(); i++) {
      if (type.isInstance(records.get(i).value())) {
        return i;
      }
    }
    return -1;
  }
}
