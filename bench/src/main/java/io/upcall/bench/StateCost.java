package io.upcall.bench;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.producers.load.FopGenerator;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.streams.InodeKeys;
import io.upcall.streams.TrackedPairs;
import io.upcall.streams.UpcallProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What tracked (inode, client) pairs cost the app as deployed: one instance tracks {@code statePairs} pairs (reads
 * by the load generator's clients, GlusterFS-style uids of ~90 characters); then the JVM heap it grew by, the bytes
 * of the tracked-clients store on disk and in its changelog, the time to restart with its local state, and the time
 * to restore it after the local state directory is deleted.
 */
final class StateCost {
  private static final Duration FILL_TIMEOUT = Duration.ofMinutes(10);

  /**
   * The stores a tracked pair lives in: the pairs by inode, by last access (for the pair bound), and their journal
   * (the only one with a changelog).
   */
  static final List<String> PAIR_STORES =
      List.of(
          UpcallProcessor.TRACKED_CLIENTS_STORE,
          UpcallProcessor.ACCESS_ORDER_STORE,
          TrackedPairs.JOURNAL_STORE);

  /**
   * @param pairs tracked pairs after the fill (counted in the store)
   * @param restoredPairs tracked pairs after the restore (counted in the store)
   * @param heapBytesPerPair JVM heap after GC, grown per pair
   * @param diskBytesPerPair the files of the stores a pair lives in ({@link #PAIR_STORES}), per pair, after a clean
   *     close
   * @param changelogBytesPerPair those stores' changelogs on the broker, per pair
   * @param fillSeconds from the first read sent until the app had committed the last
   * @param restartSeconds start → RUNNING with the local state in place
   * @param restoreSeconds start → RUNNING after the local state was deleted (restored from the changelogs)
   */
  record Result(
      long pairs,
      long restoredPairs,
      double heapBytesPerPair,
      double diskBytesPerPair,
      double changelogBytesPerPair,
      double fillSeconds,
      double restartSeconds,
      double restoreSeconds) {

    String describe() {
      return String.format(
          Locale.ROOT,
          "  %,d pairs: heap %.1f B/pair, disk %.1f B/pair, "
              + "changelog %.1f B/pair; filled in %.1f s; restart %.1f s; restore %.1f s (%,d pairs back)",
          pairs,
          heapBytesPerPair,
          diskBytesPerPair,
          changelogBytesPerPair,
          fillSeconds,
          restartSeconds,
          restoreSeconds,
          restoredPairs);
    }
  }

  private StateCost() {}

  static Result run(BenchKafka kafka, BenchSettings settings, Consumer<String> progress) {
    try (PipelineApp app =
        PipelineApp.start(kafka, settings, "state", StreamsConfig.AT_LEAST_ONCE)) {
      List<String> clients = new FopGenerator(settings.load()).clients();
      int perInode = Math.min(settings.clientsPerInode(), clients.size());
      int inodes = settings.statePairs() / perInode;
      long heapBefore = usedHeapAfterGc();

      long start = System.nanoTime();
      fill(kafka, app, clients, inodes, perInode);
      if (!kafka.awaitNoLag(app.applicationId(), app.topics().fops(), FILL_TIMEOUT)) {
        throw new IllegalStateException(
            "the state app did not process its reads within " + FILL_TIMEOUT);
      }
      double fillSeconds = (System.nanoTime() - start) / 1e9;
      long heapAfter = usedHeapAfterGc();
      long pairs = trackedPairs(app);
      progress.accept(
          String.format(Locale.ROOT, "  %,d pairs tracked in %.1f s", pairs, fillSeconds));

      app.stopInstance(); // flushes the memtables: every pair is in the store's files
      long disk = 0;
      long changelog = 0;
      for (String store : PAIR_STORES) {
        disk += storeBytes(app.localState(), store);
        changelog += kafka.topicBytes(app.applicationId() + "-" + store + "-changelog");
      }
      double restart = app.startInstance().toNanos() / 1e9;
      app.stopInstance();
      app.deleteLocalState();
      double restore = app.startInstance().toNanos() / 1e9;
      long restored = trackedPairs(app);
      double n = Math.max(1, pairs);
      Result result =
          new Result(
              pairs,
              restored,
              (heapAfter - heapBefore) / n,
              disk / n,
              changelog / n,
              fillSeconds,
              restart,
              restore);
      progress.accept(result.describe());
      return result;
    }
  }

  /** Every inode read by {@code perInode} distinct clients: inodes × perInode LOOKUPs, now. */
  private static void fill(
      BenchKafka kafka, PipelineApp app, List<String> clients, int inodes, int perInode) {
    Map<String, Object> config = new HashMap<>(BenchSettings.PRODUCER);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);
    Random random = new Random(7);
    try (KafkaProducer<String, SpecificRecord> producer =
        new KafkaProducer<>(
            config, new StringSerializer(), UpcallSerdes.fopsTopic().serializer())) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < inodes; i++) {
        Gfid inode = Gfids.of(new UUID(random.nextLong(), random.nextLong()));
        String key = Gfids.format(inode);
        for (int j = 0; j < perInode; j++) {
          String client = clients.get((i * perInode + j) % clients.size());
          FopRecord read =
              FopRecord.newBuilder()
                  .setVolume("bench")
                  .setBrick("bench-state-brick")
                  .setFop(Fop.LOOKUP)
                  .setClient(client)
                  .setGfid(inode)
                  .setEventTimeMs(now)
                  .setEntries(List.of())
                  .setXattrs(List.of())
                  .build();
          producer.send(new ProducerRecord<>(app.topics().fops(), null, now, key, read));
        }
      }
      producer.flush();
    }
  }

  private static long trackedPairs(PipelineApp app) {
    ReadOnlyKeyValueStore<Bytes, Long> store =
        app.app()
            .streams()
            .store(
                StoreQueryParameters.fromNameAndType(
                    UpcallProcessor.TRACKED_CLIENTS_STORE,
                    QueryableStoreTypes.<Bytes, Long>keyValueStore()));
    long count = 0;
    try (KeyValueIterator<Bytes, Long> all = store.all()) {
      while (all.hasNext()) {
        if (all.next().key.get().length
            > InodeKeys.GFID_LENGTH) { // a pair, not the note of the journal position
          count++;
        }
      }
    }
    return count;
  }

  /** Bytes of the files under every directory called {@code store} below {@code root} (one per task). */
  static long storeBytes(Path root, String store) {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths
          .filter(path -> Files.isRegularFile(path) && contains(path, store))
          .mapToLong(path -> path.toFile().length())
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean contains(Path path, String name) {
    for (Path part : path) {
      if (part.toString().equals(name)) {
        return true;
      }
    }
    return false;
  }

  static long usedHeapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      BenchKafka.pause(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
