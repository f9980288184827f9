package io.upcall.streams.ops;

import java.util.List;

/**
 * The answer of {@code GET /clients/{uid}}: the inodes a client is fresh on, gathered by scanning the tracked-clients
 * store of every instance (there is no client → inode index; see the README's Operating section for the cost).
 *
 * @param client the client uid asked about
 * @param timeoutSeconds T in force on the instance that gathered the answer
 * @param freshAt the time freshness is judged at, the same on every instance
 * @param complete false when an instance could not be scanned (see {@link #scans}): the list may miss inodes
 * @param inodes the inodes the client is fresh on, by gfid
 * @param trackedNotFresh inodes that still track the client but would not notify it (awaiting expiry)
 * @param scans what each instance scanned
 */
public record ClientInodes(
    String client,
    int timeoutSeconds,
    FreshAt freshAt,
    boolean complete,
    List<Inode> inodes,
    long trackedNotFresh,
    List<Scan> scans) {

  /** One inode the client is fresh on, and where it lives. */
  public record Inode(
      String gfid, String instance, int partition, long lastAccessSecond, String lastAccess) {}

  /**
   * One instance's part of the scan.
   *
   * @param partitions the partitions whose stores it scanned (its active tasks)
   * @param entriesScanned tracked (gfid, client) pairs examined
   * @param scanMs time the scan took on that instance
   * @param error why the instance could not answer, else null
   */
  public record Scan(
      String instance, List<Integer> partitions, long entriesScanned, long scanMs, String error) {}
}
