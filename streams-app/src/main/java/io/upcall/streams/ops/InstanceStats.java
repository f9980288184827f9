package io.upcall.streams.ops;

import java.util.List;
import java.util.Map;

/**
 * What one instance holds and does (or, as the total of {@link StatsReport}, all of them). Counters of the
 * Streams metrics count since each task started on the instance; rates are Kafka's windowed rates (about the last
 * minute).
 *
 * @param instance host:port, or "total"
 * @param state the KafkaStreams state, e.g. RUNNING
 * @param activePartitions partitions of the active tasks (the inodes it owns)
 * @param standbyPartitions partitions it keeps standby replicas of
 * @param trackedInodes inodes with at least one tracked client (exact, by a scan of the store)
 * @param trackedPairs tracked (inode, client) pairs (exact)
 * @param freshPairs the pairs whose client would be notified of a change now
 * @param scanMs what counting took
 * @param stores per store: estimated entries (RocksDB) and bytes on disk and in memtables
 * @param invalidationsPerSecond invalidations emitted per second
 * @param invalidationsTotal invalidations emitted
 * @param recordsPerSecond records processed per second by the stream threads
 * @param recordsProcessed records processed by the stream threads
 * @param dlqRecords fop records sent to the dead-letter topic
 * @param error why the instance could not answer, else null
 */
public record InstanceStats(
    String instance,
    String state,
    List<Integer> activePartitions,
    List<Integer> standbyPartitions,
    long trackedInodes,
    long trackedPairs,
    long freshPairs,
    long scanMs,
    Map<String, StoreSize> stores,
    double invalidationsPerSecond,
    long invalidationsTotal,
    double recordsPerSecond,
    long recordsProcessed,
    long dlqRecords,
    String error) {

  /**
   * The size of one store.
   *
   * @param approximateEntries RocksDB's estimate of the keys (estimate-num-keys), over the active tasks
   * @param sstBytes bytes of SST files (total-sst-files-size), -1 when the metric is not available
   * @param memtableBytes bytes of memtables (size-all-mem-tables), -1 when the metric is not available
   */
  public record StoreSize(long approximateEntries, long sstBytes, long memtableBytes) {}
}
