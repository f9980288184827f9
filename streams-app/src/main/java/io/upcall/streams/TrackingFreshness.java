package io.upcall.streams;

/**
 * Whether a tracked client is fresh on an inode: access times at one-second resolution, and who is fresh under a
 * timeout T (docs/semantics.md, "Freshness and the timeout"). The client's side, whether its cache may serve, is
 * consumer-lib's {@code CacheFreshness}.
 */
public final class TrackingFreshness {
  private TrackingFreshness() {}

  /** The event time in ms divided by 1000, rounded down (also for times before 1970). */
  public static long second(long eventTimeMs) {
    return Math.floorDiv(eventTimeMs, 1000L);
  }

  /** Fresh while eventSecond - lastAccessSecond &lt; T; with T = 0 nobody is ever fresh. */
  public static boolean isFresh(long eventSecond, long lastAccessSecond, int timeoutSeconds) {
    return eventSecond - lastAccessSecond < timeoutSeconds;
  }
}
