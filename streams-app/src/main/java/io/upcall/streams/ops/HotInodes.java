package io.upcall.streams.ops;

import io.upcall.avro.Gfid;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.schemas.Gfids;
import io.upcall.streams.InodeKeys;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallProcessor;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /hot}: the inodes with the most fresh clients (a bounded scan of each instance's tracked-clients stores,
 * keeping the top few in a small heap) and those that change most often ({@link ChangeWatch}, which runs while the
 * console asks), gathered from every instance like {@code /stats}.
 */
final class HotInodes {
  /** Inodes per ranking. */
  static final int TOP = 10;

  /** Tracked pairs one instance scans per request, at most (~0.4 µs each: ~80 ms). */
  static final int MAX_PAIRS = 200_000;

  /** Inode-meta entries one change round reads, at most. */
  static final int MAX_CHANGE_ENTRIES = 50_000;

  /** The change rounds stop when no one asked for this long. */
  static final long WATCH_MS = 60_000;

  private static final Comparator<HotInode> BY_FRESH =
      Comparator.comparingLong(HotInode::freshClients)
          .thenComparingLong(HotInode::trackedClients)
          .reversed()
          .thenComparing(HotInode::gfid);
  private static final Comparator<HotInode> BY_CHANGES =
      Comparator.comparingInt(HotInode::changedSamples)
          .reversed()
          .thenComparing(HotInode::latestChange, Comparator.nullsLast(Comparator.reverseOrder()))
          .thenComparing(HotInode::gfid);

  private final KafkaStreams streams;
  private final Cluster cluster;
  private final Peers peers;
  private final Supplier<Switches> switches;
  private final RequestClock clock;
  private final int sampleSeconds;
  private final ChangeWatch changes = new ChangeWatch(MAX_CHANGE_ENTRIES);
  private volatile long askedAtMs;

  HotInodes(
      KafkaStreams streams,
      Cluster cluster,
      Peers peers,
      Supplier<Switches> switches,
      RequestClock clock,
      int sampleSeconds) {
    this.streams = streams;
    this.cluster = cluster;
    this.peers = peers;
    this.switches = switches;
    this.clock = clock;
    this.sampleSeconds = sampleSeconds;
  }

  Reply get(Query query) {
    if (query.get(InodeLookup.LOCAL_PARAM) != null) {
      return Reply.ok(here());
    }
    Map<String, CompletableFuture<HotInodesReport>> parts = new LinkedHashMap<>();
    for (Cluster.Member member : cluster.members()) {
      if (!member.host().equals(cluster.selfHost())) {
        parts.put(
            member.name(),
            peers
                .getAsync(member.host(), "/hot?" + InodeLookup.LOCAL_PARAM + "=true")
                .thenApply(answer -> parse(member.name(), answer))
                .exceptionally(e -> failed(member.name(), Peers.describe(e))));
      }
    }
    List<HotInodesReport> reports = new ArrayList<>();
    reports.add(here());
    parts.values().forEach(part -> reports.add(part.join()));
    return Reply.ok(merge(reports));
  }

  static HotInodesReport merge(List<HotInodesReport> reports) {
    List<HotInode> fresh = new ArrayList<>();
    List<HotInode> changed = new ArrayList<>();
    List<HotInodesReport.Scan> scans = new ArrayList<>();
    boolean complete = true;
    for (HotInodesReport report : reports) {
      fresh.addAll(report.byFreshClients());
      changed.addAll(report.byChanges());
      scans.addAll(report.scans());
      complete &= report.complete();
    }
    fresh.sort(BY_FRESH);
    changed.sort(BY_CHANGES);
    scans.sort(Comparator.comparing(HotInodesReport.Scan::instance));
    return new HotInodesReport(
        List.copyOf(fresh.subList(0, Math.min(TOP, fresh.size()))),
        List.copyOf(changed.subList(0, Math.min(TOP, changed.size()))),
        scans,
        complete);
  }

  /** This instance's rankings; asking keeps the change rounds running for {@link #WATCH_MS}. */
  HotInodesReport here() {
    askedAtMs = clock.nowMs();
    String self = Peers.name(cluster.selfHost());
    if (!OpsServer.queryable(streams.state())) {
      return failed(self, "Kafka Streams is " + streams.state() + ": the stores cannot be queried");
    }
    FreshAt now = FreshAt.of(FreshAt.NOW, clock.nowMs());
    int timeout = switches.get().timeoutSeconds();
    long started = System.nanoTime();
    PriorityQueue<HotInode> top = new PriorityQueue<>(BY_FRESH.reversed());
    Map<Bytes, ChangeWatch.Track> tracks = changes.tracks();
    long scanned = 0;
    boolean bounded = false;
    List<String> errors = new ArrayList<>();
    for (int partition : cluster.self().active()) {
      if (scanned >= MAX_PAIRS) {
        bounded = true;
        break;
      }
      try (KeyValueIterator<Bytes, Long> entries = trackedStore(partition).all()) {
        byte[] inode = null;
        long fresh = 0;
        long tracked = 0;
        while (entries.hasNext()) {
          if (scanned >= MAX_PAIRS) {
            bounded = true;
            break;
          }
          KeyValue<Bytes, Long> entry = entries.next();
          scanned++;
          byte[] key = entry.key.get();
          if (key.length <= InodeKeys.GFID_LENGTH) {
            continue;
          }
          if (inode == null
              || !Arrays.equals(inode, 0, InodeKeys.GFID_LENGTH, key, 0, InodeKeys.GFID_LENGTH)) {
            offer(top, inode, partition, fresh, tracked, tracks, self);
            inode = Arrays.copyOf(key, InodeKeys.GFID_LENGTH);
            fresh = 0;
            tracked = 0;
          }
          tracked++;
          if (now.fresh(entry.value, timeout)) {
            fresh++;
          }
        }
        offer(top, inode, partition, fresh, tracked, tracks, self);
      } catch (InvalidStateStoreException e) {
        errors.add("partition " + partition + ": " + e.getMessage());
      }
    }
    List<HotInode> byFresh = new ArrayList<>(top);
    byFresh.sort(BY_FRESH);
    long scanMs = (System.nanoTime() - started) / 1_000_000;
    List<HotInode> byChanges = mostChanged(tracks, now, timeout, self);
    boolean incomplete = bounded || changes.bounded() || !errors.isEmpty();
    return new HotInodesReport(
        byFresh,
        byChanges,
        List.of(
            new HotInodesReport.Scan(
                self,
                scanned,
                bounded || changes.bounded(),
                scanMs,
                errors.isEmpty() ? null : String.join("; ", errors))),
        !incomplete);
  }

  private void offer(
      PriorityQueue<HotInode> top,
      byte[] inode,
      int partition,
      long fresh,
      long tracked,
      Map<Bytes, ChangeWatch.Track> tracks,
      String self) {
    if (inode == null || fresh == 0) {
      return;
    }
    ChangeWatch.Track track = tracks.get(Bytes.wrap(inode));
    top.add(hot(inode, self, partition, fresh, tracked, track));
    if (top.size() > TOP) {
      top.poll();
    }
  }

  private List<HotInode> mostChanged(
      Map<Bytes, ChangeWatch.Track> tracks, FreshAt now, int timeout, String self) {
    List<Map.Entry<Bytes, ChangeWatch.Track>> moved =
        tracks.entrySet().stream()
            .filter(entry -> entry.getValue().changedSamples() > 0)
            .sorted(
                Comparator.<Map.Entry<Bytes, ChangeWatch.Track>>comparingInt(
                        entry -> entry.getValue().changedSamples())
                    .thenComparingLong(entry -> entry.getValue().eventTimeMs())
                    .reversed())
            .limit(TOP)
            .toList();
    List<HotInode> hot = new ArrayList<>();
    for (Map.Entry<Bytes, ChangeWatch.Track> entry : moved) {
      ChangeWatch.Track track = entry.getValue();
      long fresh = 0;
      long tracked = 0;
      try {
        for (InodeState.TrackedClient client :
            TrackedScans.ofInode(
                trackedStore(track.partition()), entry.getKey().get(), now, timeout)) {
          tracked++;
          fresh += client.fresh() ? 1 : 0;
        }
      } catch (InvalidStateStoreException e) {
        // the partition moved since the round: its counts are unknown, its changes still count
      }
      hot.add(hot(entry.getKey().get(), self, track.partition(), fresh, tracked, track));
    }
    hot.sort(BY_CHANGES);
    return hot;
  }

  private HotInode hot(
      byte[] inode, String self, int partition, long fresh, long tracked, ChangeWatch.Track track) {
    return new HotInode(
        Gfids.format(new Gfid(inode)),
        self,
        partition,
        fresh,
        tracked,
        track == null ? 0 : track.changedSamples(),
        track == null ? 0 : track.rounds(),
        sampleSeconds,
        track == null ? null : Instant.ofEpochMilli(track.eventTimeMs()).toString());
  }

  /** One change round, while someone asked within {@link #WATCH_MS}; else forgets what it had. */
  void sampleChanges() {
    if (clock.nowMs() - askedAtMs > WATCH_MS) {
      changes.reset();
      return;
    }
    if (!OpsServer.queryable(streams.state())) {
      return;
    }
    List<ChangeWatch.Source> sources = new ArrayList<>();
    for (int partition : cluster.self().active()) {
      try {
        sources.add(
            new ChangeWatch.Source(
                partition,
                streams.store(
                    StoreQueryParameters.fromNameAndType(
                            UpcallProcessor.INODE_META_STORE,
                            QueryableStoreTypes.<Bytes, InodeMeta>keyValueStore())
                        .withPartition(partition))));
      } catch (InvalidStateStoreException e) {
        // a partition being moved: sampled again once it is settled
      }
    }
    try {
      changes.round(sources);
    } catch (InvalidStateStoreException e) {
      // a store closed during the round (rebalance): the next round starts from what the last
      // complete one saw
    }
  }

  private ReadOnlyKeyValueStore<Bytes, Long> trackedStore(int partition) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
                UpcallProcessor.TRACKED_CLIENTS_STORE,
                QueryableStoreTypes.<Bytes, Long>keyValueStore())
            .withPartition(partition));
  }

  private static HotInodesReport parse(String instance, Peers.Answer answer) {
    if (answer.status() != 200) {
      return failed(instance, Peers.reason(answer));
    }
    try {
      return Reply.MAPPER.readValue(answer.body(), HotInodesReport.class);
    } catch (IOException e) {
      return failed(instance, "answered something unreadable: " + e.getMessage());
    }
  }

  private static HotInodesReport failed(String instance, String error) {
    return new HotInodesReport(
        List.of(),
        List.of(),
        List.of(new HotInodesReport.Scan(instance, 0, false, 0, error)),
        false);
  }
}
