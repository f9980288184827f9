package io.upcall.streams.ops;

import io.upcall.streams.TrackingFreshness;
import java.time.Instant;

/**
 * The time "fresh" is judged at in an answer: a client is fresh on an inode while {@code second - lastAccessSecond < T}.
 *
 * @param basis "now": the answering instance's wall clock (the clock expiry runs on); "at": the request's {@code at}
 *     parameter, an event time in epoch ms, e.g. to judge a replayed trace
 * @param second the event-time second judged at
 * @param time the same, in ISO-8601 UTC
 */
public record FreshAt(String basis, long second, String time) {
  /** The wall clock was the reference. */
  public static final String NOW = "now";

  /** The request named the reference time. */
  public static final String AT = "at";

  static FreshAt of(String basis, long epochMs) {
    long second = TrackingFreshness.second(epochMs);
    return new FreshAt(basis, second, Instant.ofEpochSecond(second).toString());
  }

  /** Whether a client last seen at {@code lastAccessSecond} is fresh at this time under timeout T. */
  boolean fresh(long lastAccessSecond, int timeoutSeconds) {
    return TrackingFreshness.isFresh(second, lastAccessSecond, timeoutSeconds);
  }
}
