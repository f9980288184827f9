package io.upcall.client;

import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A metadata cache that always proves itself fresh and never ages, for comparing cache states in tests. */
public final class ServingCache {
  private final FakeTime time = new FakeTime();
  private final MetadataCache cache = MetadataCache.builder().ticker(time).clock(time).build();

  public ServingCache(List<String> xattrPatterns) {
    cache.attach(Duration.ofSeconds(2), Duration.ofMillis(100));
    cache.xattrInterest(XattrPatterns.of(xattrPatterns));
    cache.freshness().provenUpTo(time.nowMs());
  }

  public MetadataCache cache() {
    return cache;
  }

  /** Caches {@code stat} and {@code xattrs} of {@code gfid} as a lookup would. */
  public void fill(Gfid gfid, Iatt stat, Map<String, ByteBuffer> xattrs) {
    FetchToken token = cache.beginFetch(gfid);
    cache.putStat(token, stat);
    cache.putXattrs(cache.beginFetch(gfid), xattrs);
  }

  /** What a lookup of {@code gfid} gets from the cache: its stat and the values of {@code names}. */
  public String state(Gfid gfid, List<String> names) {
    StringBuilder state = new StringBuilder(cache.stat(gfid).map(Iatt::toString).orElse("-"));
    for (String name : names) {
      Optional<ByteBuffer> value = cache.xattr(gfid, name);
      state
          .append(" ")
          .append(name)
          .append("=")
          .append(
              value.map(v -> StandardCharsets.UTF_8.decode(v.duplicate()).toString()).orElse("-"));
    }
    return state.toString();
  }
}
