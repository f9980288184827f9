package io.upcall.streams.ops;

import java.util.List;

/**
 * The answer of {@code GET /hot}: the inodes with the most fresh clients and those that change most often, over
 * every instance (or, with {@code ?local=true}, this one).
 *
 * @param byFreshClients most fresh clients first
 * @param byChanges most changed samples first
 * @param scans what each instance scanned
 * @param complete false when an instance did not answer, or a scan stopped at its bound
 */
public record HotInodesReport(
    List<HotInode> byFreshClients, List<HotInode> byChanges, List<Scan> scans, boolean complete) {

  /**
   * One instance's part.
   *
   * @param pairsScanned tracked (gfid, client) pairs examined for the fresh-clients ranking
   * @param bounded true when the scan stopped at its bound: the ranking covers part of the store
   * @param error why the instance could not answer, else null
   */
  public record Scan(
      String instance, long pairsScanned, boolean bounded, long scanMs, String error) {}
}
