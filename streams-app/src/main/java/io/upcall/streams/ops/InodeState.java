package io.upcall.streams.ops;

import java.util.List;

/**
 * The answer of {@code GET /inodes/{gfid}}: what the task holding an inode knows of it.
 *
 * @param gfid the inode, canonical UUID
 * @param instance the instance whose store answered, host:port (its application.server)
 * @param partition the inode's partition (of upcall.fops and of the inode repartition topic), i.e. its task
 * @param servedBy "active" (the task's owner) or "standby" (a replica, possibly behind, used when the owner could
 *     not answer)
 * @param rebalancing true when the answering instance was rebalancing: ownership may be moving
 * @param timeoutSeconds T in force on the answering instance
 * @param freshAt the time freshness is judged at
 * @param clients every tracked client with its last access, fresh or not, in uid byte order
 * @param latestChange the latest change remembered for the ordering rule, or null
 */
public record InodeState(
    String gfid,
    String instance,
    int partition,
    String servedBy,
    boolean rebalancing,
    int timeoutSeconds,
    FreshAt freshAt,
    List<TrackedClient> clients,
    Change latestChange) {
  /** Served by the task's owner. */
  public static final String ACTIVE = "active";

  /** Served by a standby replica. */
  public static final String STANDBY = "standby";

  /**
   * One tracked client of the inode.
   *
   * @param lastAccessSecond event-time second of its latest access
   * @param lastAccess the same, ISO-8601 UTC
   * @param fresh whether a change at {@link InodeState#freshAt} would notify it
   */
  public record TrackedClient(
      String client, long lastAccessSecond, String lastAccess, boolean fresh) {}

  /**
   * The inode's latest change (changes less than T apart are merged), replayed to a client whose access arrives late.
   *
   * @param flags flag names, e.g. SIZE, TIMES
   * @param originator the client that made it, null when merged from several or when everyone was told (forget)
   */
  public record Change(
      List<String> flags,
      long eventTimeMs,
      String eventTime,
      String originator,
      String brick,
      String causeFopId,
      List<String> xattrs) {}
}
