package io.upcall.client;

import io.upcall.schemas.UpcallFlag;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of a {@link MetadataCache}'s counters.
 *
 * @param hits lookups answered from the cache
 * @param misses lookups not answered, including {@code unfreshMisses}
 * @param unfreshMisses lookups refused because the cache could not prove it was fresh
 * @param fills values accepted from the server
 * @param refusedFills values refused because the inode was invalidated (or the cache reset) after the fetch began
 * @param invalidations invalidations applied
 * @param invalidationsByFlag how many applied invalidations carried each flag
 * @param resets times the cache dropped everything (position lost, timeout lowered, {@code invalidateAll})
 * @param size approximate number of cached inodes
 * @param freshAsOfAge how far behind the wall clock the proven fresh-as-of watermark is; empty while unknown
 */
public record CacheStats(
    long hits,
    long misses,
    long unfreshMisses,
    long fills,
    long refusedFills,
    long invalidations,
    Map<UpcallFlag, Long> invalidationsByFlag,
    long resets,
    long size,
    Optional<Duration> freshAsOfAge) {

  public CacheStats {
    invalidationsByFlag = Map.copyOf(invalidationsByFlag);
  }
}
