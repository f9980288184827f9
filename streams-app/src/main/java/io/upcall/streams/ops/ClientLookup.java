package io.upcall.streams.ops;

import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallProcessor;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /clients/{uid}}: scatter-gather. A client's entries are spread over every task (they are keyed by
 * gfid), so each instance scans the tracked-clients stores of its active tasks in parallel, and the asked one merges.
 * A maintained client → gfid index would make each instance's part a prefix scan, at the price of a second store
 * write (and changelog record) per touch, untrack and expiry on the hot path; operators ask rarely, so they pay.
 */
final class ClientLookup {
  private final KafkaStreams streams;
  private final Cluster cluster;
  private final Peers peers;
  private final Supplier<Switches> switches;
  private final RequestClock clock;

  ClientLookup(
      KafkaStreams streams,
      Cluster cluster,
      Peers peers,
      Supplier<Switches> switches,
      RequestClock clock) {
    this.streams = streams;
    this.cluster = cluster;
    this.peers = peers;
    this.switches = switches;
    this.clock = clock;
  }

  Reply get(String uid, Query query) {
    if (uid.isEmpty()) {
      throw new HttpProblem(400, "the client uid is missing: GET /clients/{uid}");
    }
    FreshAt freshAt = clock.freshAt(query);
    if (query.get(InodeLookup.LOCAL_PARAM) != null) {
      return Reply.ok(scanHere(uid, freshAt));
    }
    OpsServer.requireQueryable(streams);
    // Every instance judges freshness at the same second, the one this request fixed.
    long atMs = freshAt.second() * 1000;
    String path =
        "/clients/"
            + URLEncoder.encode(uid, StandardCharsets.UTF_8).replace("+", "%20")
            + "?"
            + InodeLookup.LOCAL_PARAM
            + "=true&"
            + RequestClock.AT
            + "="
            + atMs;
    Map<String, CompletableFuture<ClientInodes>> parts = new LinkedHashMap<>();
    for (Cluster.Member member : cluster.members()) {
      if (!member.host().equals(cluster.selfHost())) {
        parts.put(
            member.name(),
            peers
                .getAsync(member.host(), path)
                .thenApply(answer -> parse(member.name(), answer))
                .exceptionally(e -> failed(member.name(), uid, freshAt, Peers.describe(e))));
      }
    }
    List<ClientInodes> answers = new ArrayList<>();
    answers.add(scanHere(uid, freshAt));
    parts.values().forEach(part -> answers.add(part.join()));

    List<ClientInodes.Inode> inodes = new ArrayList<>();
    List<ClientInodes.Scan> scans = new ArrayList<>();
    long notFresh = 0;
    for (ClientInodes answer : answers) {
      inodes.addAll(answer.inodes());
      scans.addAll(answer.scans());
      notFresh += answer.trackedNotFresh();
    }
    inodes.sort(Comparator.comparing(ClientInodes.Inode::gfid));
    scans.sort(Comparator.comparing(ClientInodes.Scan::instance));
    boolean complete = scans.stream().allMatch(scan -> scan.error() == null);
    return Reply.ok(
        new ClientInodes(
            uid, switches.get().timeoutSeconds(), freshAt, complete, inodes, notFresh, scans));
  }

  /** This instance's part: a full scan of each active task's tracked clients. */
  ClientInodes scanHere(String uid, FreshAt freshAt) {
    int timeout = switches.get().timeoutSeconds();
    String self = Peers.name(cluster.selfHost());
    long started = System.nanoTime();
    List<Integer> partitions =
        OpsServer.queryable(streams.state()) ? cluster.self().active() : List.of();
    List<ClientInodes.Inode> inodes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    long notFresh = 0;
    long scanned = 0;
    for (int partition : partitions) {
      TrackedScans.ClientScan scan;
      try {
        scan = TrackedScans.forClient(store(partition), uid);
      } catch (InvalidStateStoreException e) {
        errors.add("partition " + partition + ": " + e.getMessage());
        continue;
      }
      scanned += scan.scanned();
      for (TrackedScans.ClientEntry entry : scan.entries()) {
        if (freshAt.fresh(entry.lastAccessSecond(), timeout)) {
          Gfid gfid = new Gfid(entry.gfid());
          inodes.add(
              new ClientInodes.Inode(
                  Gfids.format(gfid),
                  self,
                  partition,
                  entry.lastAccessSecond(),
                  Instant.ofEpochSecond(entry.lastAccessSecond()).toString()));
        } else {
          notFresh++;
        }
      }
    }
    long scanMs = (System.nanoTime() - started) / 1_000_000;
    String error = errors.isEmpty() ? null : String.join("; ", errors);
    ClientInodes.Scan scan = new ClientInodes.Scan(self, partitions, scanned, scanMs, error);
    return new ClientInodes(uid, timeout, freshAt, error == null, inodes, notFresh, List.of(scan));
  }

  private ReadOnlyKeyValueStore<Bytes, Long> store(int partition) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
                UpcallProcessor.TRACKED_CLIENTS_STORE,
                QueryableStoreTypes.<Bytes, Long>keyValueStore())
            .withPartition(partition));
  }

  private static ClientInodes parse(String instance, Peers.Answer answer) {
    if (answer.status() != 200) {
      throw new IllegalStateException(instance + " answered " + Peers.reason(answer));
    }
    try {
      return Reply.MAPPER.readValue(answer.body(), ClientInodes.class);
    } catch (IOException e) {
      throw new IllegalStateException(
          instance + " answered something unreadable: " + e.getMessage(), e);
    }
  }

  private static ClientInodes failed(String instance, String uid, FreshAt freshAt, String error) {
    return new ClientInodes(
        uid,
        0,
        freshAt,
        false,
        List.of(),
        0,
        List.of(new ClientInodes.Scan(instance, List.of(), 0, 0, error)));
  }
}
