package io.upcall.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.upcall.avro.Gfid;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client's metadata cache (GlusterFS md-cache's job): stat and xattrs per gfid, kept coherent by the
 * invalidations an {@link UpcallClient} applies, and served only while the client can prove it is fresh.
 *
 * <p>Filling follows a fetch protocol that closes the fill/invalidate race: take a {@link FetchToken} with
 * {@link #beginFetch(Gfid)} <em>before</em> asking the server, then offer the answer with
 * {@link #putStat(FetchToken, Iatt)}; the cache refuses it when the inode was invalidated (or the cache reset)
 * after the token was taken, since the answer may predate that change.
 */
public final class MetadataCache {
  static final long DEFAULT_MAXIMUM_SIZE = 100_000;
  static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofMinutes(10);
  static final Duration DEFAULT_INVALIDATION_TIMEOUT = Duration.ofSeconds(60);
  static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofMinutes(1);

  /** The server compares whole seconds, so a client is tracked for up to a second less than the timeout. */
  private static final long TIMEOUT_ROUNDING_NANOS = Duration.ofSeconds(1).toNanos();

  private static final int DROPS_INODE =
      UpcallFlag.mask(UpcallFlag.NLINK, UpcallFlag.RENAME, UpcallFlag.FORGET);
  private static final int STAT_FLAGS =
      UpcallFlag.mask(
          UpcallFlag.MODE,
          UpcallFlag.OWN,
          UpcallFlag.SIZE,
          UpcallFlag.TIMES,
          UpcallFlag.ATIME,
          UpcallFlag.PERM);

  private final Ticker ticker;
  private final long timeToLiveNanos;
  private final Cache<UUID, CachedInode> inodes;

  /**
   * Generation per inode with a fetch in flight. A token is honoured only while its inode's entry still holds the
   * token's generation: an invalidation replaces it with a newer one, and an evicted or expired entry cannot be
   * recreated with an old value (generations come from one increasing sequence), so losing an entry can only
   * refuse a fill, never admit a stale one. Its memory is bounded by its size and the fetch timeout.
   */
  private final Cache<UUID, Long> fetchGenerations;

  private final AtomicLong generationSequence = new AtomicLong();

  /** Bumped when the cache drops everything; entries and tokens of an older epoch are dead. */
  private final AtomicLong epoch = new AtomicLong();

  private final CacheFreshness freshness;
  private volatile long invalidationTimeoutNanos;
  private volatile XattrPatterns xattrInterest = XattrPatterns.NONE;
  private volatile boolean attached;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder unfreshMisses = new LongAdder();
  private final LongAdder fills = new LongAdder();
  private final LongAdder refusedFills = new LongAdder();
  private final LongAdder invalidations = new LongAdder();
  private final LongAdder resets = new LongAdder();
  private final AtomicLongArray invalidationsByFlag =
      new AtomicLongArray(UpcallFlag.values().length);

  private MetadataCache(Builder builder) {
    this.ticker = builder.ticker;
    this.timeToLiveNanos = builder.timeToLive.toNanos();
    this.invalidationTimeoutNanos = builder.invalidationTimeout.toNanos();
    this.freshness = new CacheFreshness(builder.clock);
    this.inodes =
        Caffeine.newBuilder()
            .maximumSize(builder.maximumSize)
            .expireAfter(new TrackedUntilDeadline())
            .ticker(builder.ticker)
            .executor(Runnable::run)
            .build();
    this.fetchGenerations =
        Caffeine.newBuilder()
            .maximumSize(builder.maximumSize)
            .expireAfterWrite(builder.fetchTimeout)
            .ticker(builder.ticker)
            .executor(Runnable::run)
            .build();
  }

  /** A builder with md-cache's defaults for a volume with cache invalidation on. */
  public static Builder builder() {
    return new Builder();
  }

  /** The cached stat of {@code gfid}; empty when not cached or when the cache cannot prove it is fresh. */
  public Optional<Iatt> stat(Gfid gfid) {
    CachedInode inode = servable(gfid);
    if (inode == null || inode.stat() == null) {
      misses.increment();
      return Optional.empty();
    }
    hits.increment();
    return Optional.of(Iatt.newBuilder(inode.stat()).build());
  }

  /** The cached value of xattr {@code name} of {@code gfid}; empty when not cached or not provably fresh. */
  public Optional<ByteBuffer> xattr(Gfid gfid, String name) {
    Objects.requireNonNull(name, "name");
    CachedInode inode = servable(gfid);
    ByteBuffer value = inode == null ? null : inode.xattrs().get(name);
    if (value == null) {
      misses.increment();
      return Optional.empty();
    }
    hits.increment();
    return Optional.of(value.asReadOnlyBuffer());
  }

  /** Starts a fetch of {@code gfid} from the server: take the token before sending the request. */
  public FetchToken beginFetch(Gfid gfid) {
    UUID inode = key(gfid);
    // Read the epoch first: a reset between the two reads then kills this token, never the other
    // way round.
    long currentEpoch = epoch.get();
    long startedAt = ticker.read();
    long generation =
        fetchGenerations.asMap().computeIfAbsent(inode, k -> generationSequence.incrementAndGet());
    return new FetchToken(this, inode, currentEpoch, generation, startedAt);
  }

  /**
   * Caches the stat the server returned for the token's fetch, unless the inode was invalidated or the cache reset
   * since the token was taken, or the cached stat is newer (ctime).
   *
   * @return whether the stat was accepted
   */
  public boolean putStat(FetchToken token, Iatt stat) {
    Objects.requireNonNull(stat, "stat");
    Iatt copy = Iatt.newBuilder(stat).build();
    return fill(token, inode -> inode.withNewerStat(copy));
  }

  /**
   * Caches xattr values the server returned for the token's fetch (merged with those cached), under the same
   * conditions as {@link #putStat(FetchToken, Iatt)}. Only names matching the client's registered xattr patterns
   * are kept: the pipeline invalidates no others.
   *
   * @return whether the values were accepted
   */
  public boolean putXattrs(FetchToken token, Map<String, ByteBuffer> values) {
    XattrPatterns interest = xattrInterest;
    Map<String, ByteBuffer> copy = new HashMap<>();
    values.forEach(
        (name, value) -> {
          Objects.requireNonNull(name, "xattr name");
          Objects.requireNonNull(value, () -> "value of xattr " + name);
          if (interest.matches(name)) {
            copy.put(name, copyOf(value));
          }
        });
    return fill(token, inode -> inode.withXattrs(copy));
  }

  /** Applies one invalidation as md-cache does (docs/semantics.md, "The client's cache"). */
  public void apply(Invalidation invalidation) {
    int flags = invalidation.getFlags();
    learnTimeout(invalidation.getExpireTimeSeconds());
    if (UpcallFlag.PARENT_TIMES.in(flags)) {
      applyParentStat(invalidation.getParent(), invalidation.getParentStat());
      if (UpcallFlag.RENAME.in(flags)) {
        applyParentStat(invalidation.getOldParent(), invalidation.getOldParentStat());
      }
    }
    boolean unknownFlags = (flags & ~UpcallFlag.ALL_BITS) != 0;
    if ((flags & DROPS_INODE) != 0 || unknownFlags) {
      update(invalidation.getGfid(), inode -> null);
    } else {
      if ((flags & STAT_FLAGS) != 0) {
        Iatt stat = invalidation.getStat();
        update(
            invalidation.getGfid(),
            stat == null
                ? inode -> inode.withStat(null)
                : inode -> inode.withNewerStat(Iatt.newBuilder(stat).build()));
      }
      if (UpcallFlag.XATTR.in(flags)) {
        update(invalidation.getGfid(), inode -> mergeXattrs(inode, invalidation.getXattrs()));
      }
      if (UpcallFlag.XATTR_RM.in(flags)) {
        update(invalidation.getGfid(), inode -> removeXattrs(inode, invalidation.getXattrs()));
      }
    }
    invalidations.increment();
    for (UpcallFlag flag : UpcallFlag.values()) {
      if (flag.in(flags)) {
        invalidationsByFlag.incrementAndGet(flag.ordinal());
      }
    }
  }

  /** Drops what is cached of {@code gfid} and refuses fills begun before, e.g. after a local change. */
  public void invalidate(Gfid gfid) {
    update(gfid, inode -> null);
  }

  /** Drops everything and refuses every fill begun before. */
  public void invalidateAll() {
    epoch.incrementAndGet();
    resets.increment();
    inodes.invalidateAll();
  }

  /** Whether the cache can currently prove it is fresh, i.e. whether it serves at all. */
  public boolean isFresh() {
    return freshness.isFresh();
  }

  /** The event time up to which every change is known to be applied; empty while unknown. */
  public Optional<Instant> freshAsOf() {
    return freshness.freshAsOf();
  }

  /** A snapshot of the counters. */
  public CacheStats stats() {
    Map<UpcallFlag, Long> byFlag = new EnumMap<>(UpcallFlag.class);
    for (UpcallFlag flag : UpcallFlag.values()) {
      byFlag.put(flag, invalidationsByFlag.get(flag.ordinal()));
    }
    return new CacheStats(
        hits.sum(),
        misses.sum(),
        unfreshMisses.sum(),
        fills.sum(),
        refusedFills.sum(),
        invalidations.sum(),
        byFlag,
        resets.sum(),
        inodes.estimatedSize(),
        freshness.age());
  }

  // ---- for the UpcallClient that feeds this cache

  /** Binds this cache to the one client that keeps it coherent; the client proves freshness from then on. */
  synchronized void attach(Duration stalenessBound, Duration clockSkewAllowance) {
    if (attached) {
      throw new IllegalStateException("this MetadataCache is already fed by another UpcallClient");
    }
    attached = true;
    freshness.configure(stalenessBound, clockSkewAllowance);
  }

  synchronized void detach() {
    freshness.lose();
    attached = false;
  }

  CacheFreshness freshness() {
    return freshness;
  }

  /**
   * The xattr patterns the client registered. Cached xattrs the new patterns no longer match are dropped at once,
   * since the pipeline stops invalidating them.
   */
  void xattrInterest(XattrPatterns patterns) {
    xattrInterest = patterns;
    for (UUID inode : List.copyOf(inodes.asMap().keySet())) {
      inodes
          .asMap()
          .computeIfPresent(
              inode,
              (k, cached) -> {
                List<String> unwatched =
                    cached.xattrs().keySet().stream()
                        .filter(name -> !patterns.matches(name))
                        .toList();
                CachedInode next = cached.withoutXattrs(unwatched);
                return next.isEmpty() ? null : next;
              });
    }
  }

  // ---- internals

  private CachedInode servable(Gfid gfid) {
    UUID inode = key(gfid);
    if (!freshness.isFresh()) {
      unfreshMisses.increment();
      return null;
    }
    CachedInode cached = inodes.getIfPresent(inode);
    return cached != null && cached.epoch() == epoch.get() ? cached : null;
  }

  private interface Change {
    CachedInode applyTo(CachedInode inode);
  }

  private boolean fill(FetchToken token, Change change) {
    Objects.requireNonNull(token, "token");
    if (token.owner != this) {
      throw new IllegalArgumentException("token was issued by another MetadataCache");
    }
    long deadline = token.startedAtNanos + trackedForNanos();
    boolean[] accepted = {false};
    // The check and the write happen under the inode's lock in the map, as invalidations of the
    // inode do.
    inodes
        .asMap()
        .compute(
            token.inode,
            (inode, cached) -> {
              Long generation = fetchGenerations.getIfPresent(inode);
              if (token.epoch != epoch.get()
                  || generation == null
                  || generation != token.generation
                  || deadline - ticker.read() <= 0) {
                return cached;
              }
              accepted[0] = true;
              CachedInode base =
                  cached == null || cached.epoch() != token.epoch
                      ? CachedInode.empty(token.epoch, deadline)
                      : cached;
              return change.applyTo(base).trackedUntil(deadline);
            });
    (accepted[0] ? fills : refusedFills).increment();
    return accepted[0];
  }

  /** Changes what is cached of {@code gfid} (if anything) and kills the fills in flight for it. */
  private void update(Gfid gfid, Change change) {
    long currentEpoch = epoch.get();
    inodes
        .asMap()
        .compute(
            key(gfid),
            (inode, cached) -> {
              fetchGenerations
                  .asMap()
                  .computeIfPresent(inode, (k, old) -> generationSequence.incrementAndGet());
              if (cached == null || cached.epoch() != currentEpoch) {
                return null;
              }
              CachedInode next = change.applyTo(cached);
              return next == null || next.isEmpty() ? null : next;
            });
  }

  private void applyParentStat(Gfid parent, Iatt parentStat) {
    if (parent == null) {
      return;
    }
    update(
        parent,
        parentStat == null
            ? inode -> inode.withStat(null)
            : inode ->
                inode.stat() == null
                    ? inode
                    : inode.withNewerStat(Iatt.newBuilder(parentStat).build()));
  }

  private static CachedInode mergeXattrs(CachedInode inode, List<Xattr> xattrs) {
    if (xattrs.isEmpty()) {
      // XATTR without names: the mode changed, so cached ACLs (and whatever derives from mode) are
      // void.
      return inode.withoutAnyXattrs();
    }
    Map<String, ByteBuffer> values = new HashMap<>();
    List<String> dropped = new ArrayList<>();
    for (Xattr xattr : xattrs) {
      if (xattr.getValue() == null) {
        dropped.add(xattr.getName());
      } else {
        values.put(xattr.getName(), copyOf(xattr.getValue()));
      }
    }
    return inode.withoutXattrs(dropped).withXattrs(values);
  }

  private static CachedInode removeXattrs(CachedInode inode, List<Xattr> xattrs) {
    if (xattrs.isEmpty()) {
      return inode.withoutAnyXattrs();
    }
    return inode.withoutXattrs(xattrs.stream().map(Xattr::getName).toList());
  }

  /**
   * How long after a fetch began the entry may live: md-cache-timeout, but never past the point where the
   * streams app stops tracking this client on the inode. Cache hits make no access on the server, so only the
   * fetch renews that tracking; it lasts the invalidation timeout (less a second of rounding and the clock skew
   * between the bricks that stamp the access and the change).
   */
  private long trackedForNanos() {
    long tracked =
        invalidationTimeoutNanos - TIMEOUT_ROUNDING_NANOS - 2 * freshness.skewAllowance().toNanos();
    return Math.min(timeToLiveNanos, Math.max(0, tracked));
  }

  /** A lower timeout in force shortens the tracking every entry relied on: start again. */
  private void learnTimeout(int expireTimeSeconds) {
    long announced = Duration.ofSeconds(expireTimeSeconds).toNanos();
    if (expireTimeSeconds > 0 && announced < invalidationTimeoutNanos) {
      invalidationTimeoutNanos = announced;
      invalidateAll();
    }
  }

  private static UUID key(Gfid gfid) {
    return Gfids.toUuid(Objects.requireNonNull(gfid, "gfid"));
  }

  private static ByteBuffer copyOf(ByteBuffer value) {
    ByteBuffer source = value.duplicate();
    ByteBuffer copy = ByteBuffer.allocate(source.remaining());
    copy.put(source).flip();
    return copy.asReadOnlyBuffer();
  }

  private static final class TrackedUntilDeadline implements Expiry<UUID, CachedInode> {
    @Override
    public long expireAfterCreate(UUID key, CachedInode value, long currentTime) {
      return Math.max(0, value.deadlineNanos() - currentTime);
    }

    @Override
    public long expireAfterUpdate(
        UUID key, CachedInode value, long currentTime, long currentDuration) {
      return Math.max(0, value.deadlineNanos() - currentTime);
    }

    @Override
    public long expireAfterRead(
        UUID key, CachedInode value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /** Builds a {@link MetadataCache}. */
  public static final class Builder {
    private long maximumSize = DEFAULT_MAXIMUM_SIZE;
    private Duration timeToLive = DEFAULT_TIME_TO_LIVE;
    private Duration invalidationTimeout = DEFAULT_INVALIDATION_TIMEOUT;
    private Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
    private Ticker ticker = Ticker.systemTicker();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** At most this many inodes are cached (default 100 000). */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize <= 0) {
        throw new IllegalArgumentException("maximumSize must be positive, was " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /** md-cache-timeout: how long a fetched value may be served (default 10 minutes). */
    public Builder timeToLive(Duration timeToLive) {
      this.timeToLive = positive("timeToLive", timeToLive);
      return this;
    }

    /**
     * The volume's cache-invalidation-timeout (default 60 s): the streams app notifies a client only this long
     * after its last access, so no entry outlives it. A lower value seen in invalidations takes over.
     */
    public Builder invalidationTimeout(Duration invalidationTimeout) {
      this.invalidationTimeout = positive("invalidationTimeout", invalidationTimeout);
      return this;
    }

    /** A fetch taking longer than this is refused (default 1 minute); bounds the memory of fetches in flight. */
    public Builder fetchTimeout(Duration fetchTimeout) {
      this.fetchTimeout = positive("fetchTimeout", fetchTimeout);
      return this;
    }

    /** The time source for expiry (default {@link Ticker#systemTicker()}); tests pass a fake. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The wall clock that freshness is judged against (default UTC system clock); tests pass a fake. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A new, empty cache that serves nothing until an {@link UpcallClient} proves it fresh. */
    public MetadataCache build() {
      return new MetadataCache(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
