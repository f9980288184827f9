package io.upcall.streams.ops;

import io.upcall.streams.JournaledPairs;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallProcessor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /stats}: each instance's figures (asked in parallel) and their sum. Tracked inodes and pairs are
 * exact, from a scan of the active tasks' tracked-clients stores; store sizes are RocksDB's estimates and metrics;
 * rates and totals come from the Streams metrics, including the processors' sensors.
 */
final class StatsCollector {
  /** The stores whose sizes are reported, in this order. */
  static final List<String> STORES =
      List.of(
          UpcallProcessor.TRACKED_CLIENTS_STORE,
          UpcallProcessor.INODE_META_STORE,
          UpcallProcessor.TX_IDS_STORE,
          JournaledPairs.STORE);

  private final KafkaStreams streams;
  private final Cluster cluster;
  private final Peers peers;
  private final Supplier<Switches> switches;
  private final RequestClock clock;

  StatsCollector(
      KafkaStreams streams,
      Cluster cluster,
      Peers peers,
      Supplier<Switches> switches,
      RequestClock clock) {
    this.streams = streams;
    this.cluster = cluster;
    this.peers = peers;
    this.switches = switches;
    this.clock = clock;
  }

  Reply get(Query query) {
    if (query.get(InodeLookup.LOCAL_PARAM) != null) {
      return Reply.ok(here());
    }
    Map<String, CompletableFuture<InstanceStats>> parts = new LinkedHashMap<>();
    for (Cluster.Member member : cluster.members()) {
      if (!member.host().equals(cluster.selfHost())) {
        parts.put(
            member.name(),
            peers
                .getAsync(member.host(), "/stats?" + InodeLookup.LOCAL_PARAM + "=true")
                .thenApply(answer -> parse(member.name(), answer))
                .exceptionally(e -> failed(member.name(), Peers.describe(e))));
      }
    }
    List<InstanceStats> instances = new ArrayList<>();
    instances.add(here());
    parts.values().forEach(part -> instances.add(part.join()));
    instances.sort(Comparator.comparing(InstanceStats::instance));
    boolean complete = instances.stream().allMatch(stats -> stats.error() == null);
    return Reply.ok(new StatsReport(instances, total(instances), complete));
  }

  /** This instance's figures. */
  InstanceStats here() {
    KafkaStreams.State state = streams.state();
    String self = Peers.name(cluster.selfHost());
    if (!OpsServer.queryable(state)) {
      return new InstanceStats(
          self, state.name(), List.of(), List.of(), 0, 0, 0, 0, Map.of(), 0, 0, 0, 0, 0, null);
    }
    Cluster.Member member = cluster.self();
    FreshAt now = FreshAt.of(FreshAt.NOW, clock.nowMs());
    int timeout = switches.get().timeoutSeconds();
    long started = System.nanoTime();
    TrackedScans.Counts counts = TrackedScans.NONE;
    List<String> errors = new ArrayList<>();
    for (int partition : member.active()) {
      try {
        counts = counts.plus(TrackedScans.count(trackedStore(partition), now, timeout));
      } catch (InvalidStateStoreException e) {
        errors.add("partition " + partition + ": " + e.getMessage());
      }
    }
    long scanMs = (System.nanoTime() - started) / 1_000_000;

    StreamsMetricSums metrics = new StreamsMetricSums(streams.metrics());
    Map<String, InstanceStats.StoreSize> stores = new LinkedHashMap<>();
    for (String store : STORES) {
      stores.put(
          store,
          new InstanceStats.StoreSize(
              approximateEntries(store),
              (long)
                  metrics.sumTagged(
                      StreamsMetricSums.STATE_GROUP,
                      "total-sst-files-size",
                      StreamsMetricSums.ROCKSDB_STORE_TAG,
                      store),
              (long)
                  metrics.sumTagged(
                      StreamsMetricSums.STATE_GROUP,
                      "size-all-mem-tables",
                      StreamsMetricSums.ROCKSDB_STORE_TAG,
                      store)));
    }
    String invalidations = UpcallProcessor.INVALIDATIONS_SENSOR;
    return new InstanceStats(
        self,
        state.name(),
        member.active(),
        member.standby(),
        counts.inodes(),
        counts.pairs(),
        counts.freshPairs(),
        scanMs,
        stores,
        metrics.sum(StreamsMetricSums.UPCALL_GROUP, invalidations + "-rate"),
        (long) metrics.sum(StreamsMetricSums.UPCALL_GROUP, invalidations + "-total"),
        metrics.sum(StreamsMetricSums.THREAD_GROUP, "process-rate"),
        (long) metrics.sum(StreamsMetricSums.THREAD_GROUP, "process-total"),
        (long) metrics.sum(StreamsMetricSums.UPCALL_GROUP, "dlq-records-total"),
        errors.isEmpty() ? null : String.join("; ", errors));
  }

  private ReadOnlyKeyValueStore<Bytes, Long> trackedStore(int partition) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
                UpcallProcessor.TRACKED_CLIENTS_STORE,
                QueryableStoreTypes.<Bytes, Long>keyValueStore())
            .withPartition(partition));
  }

  private long approximateEntries(String store) {
    try {
      return streams
          .store(
              StoreQueryParameters.fromNameAndType(
                  store, QueryableStoreTypes.<Bytes, Object>keyValueStore()))
          .approximateNumEntries();
    } catch (InvalidStateStoreException e) {
      return -1;
    }
  }

  static InstanceStats total(List<InstanceStats> instances) {
    long inodes = 0;
    long pairs = 0;
    long fresh = 0;
    long scanMs = 0;
    double invalidationRate = 0;
    long invalidations = 0;
    double recordRate = 0;
    long records = 0;
    long dlq = 0;
    List<Integer> active = new ArrayList<>();
    List<Integer> standby = new ArrayList<>();
    Map<String, InstanceStats.StoreSize> stores = new LinkedHashMap<>();
    for (InstanceStats stats : instances) {
      inodes += stats.trackedInodes();
      pairs += stats.trackedPairs();
      fresh += stats.freshPairs();
      scanMs = Math.max(scanMs, stats.scanMs());
      invalidationRate += stats.invalidationsPerSecond();
      invalidations += stats.invalidationsTotal();
      recordRate += stats.recordsPerSecond();
      records += stats.recordsProcessed();
      dlq += stats.dlqRecords();
      active.addAll(stats.activePartitions());
      standby.addAll(stats.standbyPartitions());
      stats
          .stores()
          .forEach(
              (name, size) ->
                  stores.merge(
                      name,
                      size,
                      (a, b) ->
                          new InstanceStats.StoreSize(
                              plus(a.approximateEntries(), b.approximateEntries()),
                              plus(a.sstBytes(), b.sstBytes()),
                              plus(a.memtableBytes(), b.memtableBytes()))));
    }
    active.sort(null);
    standby.sort(null);
    return new InstanceStats(
        "total",
        instances.size() + " instances",
        active,
        standby,
        inodes,
        pairs,
        fresh,
        scanMs,
        stores,
        invalidationRate,
        invalidations,
        recordRate,
        records,
        dlq,
        null);
  }

  /** Sums where -1 means "not available" on one side. */
  private static long plus(long a, long b) {
    return a < 0 ? b : b < 0 ? a : a + b;
  }

  private static InstanceStats parse(String instance, Peers.Answer answer) {
    if (answer.status() != 200) {
      return failed(instance, Peers.reason(answer));
    }
    try {
      return Reply.MAPPER.readValue(answer.body(), InstanceStats.class);
    } catch (IOException e) {
      return failed(instance, "answered something unreadable: " + e.getMessage());
    }
  }

  private static InstanceStats failed(String instance, String error) {
    return new InstanceStats(
        instance, "UNREACHABLE", List.of(), List.of(), 0, 0, 0, 0, Map.of(), 0, 0, 0, 0, 0, error);
  }
}
