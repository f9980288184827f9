package io.upcall.streams.ops;

import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import io.upcall.streams.InodeKeys;
import io.upcall.streams.JournaledPairs;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallProcessor;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /inodes/{gfid}}: finds the task that holds the inode from the group's metadata and reads its stores,
 * here when this instance owns it, else on the owner over HTTP; when the owner cannot answer, on a standby replica.
 */
final class InodeLookup {
  /** The inode repartition topic is keyed by the gfid's canonical string, placed by Kafka's default partitioner. */
  private static final StringSerializer KEY_SERIALIZER = new StringSerializer();

  /** Set on a forwarded request: answer from the local store of that role, never forward again. */
  static final String LOCAL_PARAM = "local";

  private final KafkaStreams streams;
  private final HostInfo self;
  private final Peers peers;
  private final Supplier<Switches> switches;
  private final RequestClock clock;

  InodeLookup(
      KafkaStreams streams,
      HostInfo self,
      Peers peers,
      Supplier<Switches> switches,
      RequestClock clock) {
    this.streams = streams;
    this.self = self;
    this.peers = peers;
    this.switches = switches;
    this.clock = clock;
  }

  Reply get(String gfidText, Query query) {
    Gfid gfid = parse(gfidText);
    String canonical = Gfids.format(gfid);
    FreshAt freshAt = clock.freshAt(query);
    OpsServer.requireQueryable(streams);
    KeyQueryMetadata where =
        streams.queryMetadataForKey(
            UpcallProcessor.TRACKED_CLIENTS_STORE, canonical, KEY_SERIALIZER);
    if (where == null
        || where.equals(KeyQueryMetadata.NOT_AVAILABLE)
        || where.activeHost() == null) {
      throw new HttpProblem(
          503,
          "no instance owns gfid "
              + canonical
              + " right now (the group is rebalancing); "
              + "retry in a few seconds");
    }
    String local = query.get(LOCAL_PARAM);
    if (local != null) {
      return read(gfid, where, local.equals(InodeState.STANDBY), freshAt);
    }
    List<String> failures = new ArrayList<>();
    Reply reply = ask(where.activeHost(), InodeState.ACTIVE, gfid, where, query, failures);
    for (HostInfo standby : where.standbyHosts()) {
      if (reply != null) {
        break;
      }
      reply = ask(standby, InodeState.STANDBY, gfid, where, query, failures);
    }
    if (reply != null) {
      return reply;
    }
    throw new HttpProblem(
        503,
        "partition "
            + where.partition()
            + " of gfid "
            + canonical
            + " cannot be read now: "
            + String.join("; ", failures)
            + (where.standbyHosts().isEmpty()
                ? " (and it has no standby replica: num.standby.replicas is 0)"
                : ""));
  }

  /** The answer of {@code host} in {@code role}, or null (with the reason in {@code failures}) when it had none. */
  private Reply ask(
      HostInfo host,
      String role,
      Gfid gfid,
      KeyQueryMetadata where,
      Query query,
      List<String> failures) {
    if (host.equals(self)) {
      try {
        return read(gfid, where, role.equals(InodeState.STANDBY), clock.freshAt(query));
      } catch (InvalidStateStoreException e) {
        failures.add(Peers.name(host) + " (" + role + ", here): " + e.getMessage());
        return null;
      }
    }
    String path =
        "/inodes/"
            + Gfids.format(gfid)
            + "?"
            + LOCAL_PARAM
            + "="
            + role
            + query.forwarded(RequestClock.AT);
    try {
      Peers.Answer answer = peers.get(host, path);
      if (answer.status() == 503) {
        failures.add(Peers.name(host) + " (" + role + "): " + Peers.reason(answer));
        return null;
      }
      return Reply.passThrough(answer.status(), answer.body());
    } catch (IOException e) {
      failures.add(Peers.name(host) + " (" + role + ") is unreachable: " + Peers.describe(e));
      return null;
    }
  }

  /** The inode as this instance's stores hold it; a standby read may lag the owner. */
  private Reply read(Gfid gfid, KeyQueryMetadata where, boolean standby, FreshAt freshAt) {
    int partition = where.partition();
    ReadOnlyKeyValueStore<Bytes, InodeMeta> meta =
        store(UpcallProcessor.INODE_META_STORE, partition, standby);
    int timeout = switches.get().timeoutSeconds();
    // A standby keeps only what has a changelog: the tracked clients' journal, not the pairs store
    // built from it.
    List<InodeState.TrackedClient> clients =
        standby
            ? TrackedScans.ofInode(
                JournaledPairs.ofInode(store(JournaledPairs.STORE, partition, true), gfid.bytes()),
                freshAt,
                timeout)
            : TrackedScans.ofInode(
                this.<Bytes, Long>store(UpcallProcessor.TRACKED_CLIENTS_STORE, partition, false),
                gfid.bytes(),
                freshAt,
                timeout);
    InodeMeta latest = meta.get(InodeKeys.of(gfid.bytes()));
    InodeState.Change change =
        latest == null || latest.getLatestChange() == null ? null : change(latest);
    String servedBy = where.activeHost().equals(self) ? InodeState.ACTIVE : InodeState.STANDBY;
    if (clients.isEmpty() && change == null) {
      throw new HttpProblem(
          404,
          "gfid "
              + Gfids.format(gfid)
              + " is not tracked (partition "
              + partition
              + " on "
              + Peers.name(self)
              + ", "
              + servedBy
              + "): no client accessed it and it had no change within the last 2·T "
              + "(T = "
              + timeout
              + " s), or it never existed");
    }
    boolean rebalancing = streams.state() == KafkaStreams.State.REBALANCING;
    return Reply.ok(
        new InodeState(
            Gfids.format(gfid),
            Peers.name(self),
            partition,
            servedBy,
            rebalancing,
            timeout,
            freshAt,
            clients,
            change));
  }

  private <K, V> ReadOnlyKeyValueStore<K, V> store(String name, int partition, boolean stale) {
    StoreQueryParameters<ReadOnlyKeyValueStore<K, V>> parameters =
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore())
            .withPartition(partition);
    return streams.store(stale ? parameters.enableStaleStores() : parameters);
  }

  private static InodeState.Change change(InodeMeta meta) {
    Invalidation change = meta.getLatestChange();
    List<String> xattrs =
        change.getXattrs() == null
            ? List.of()
            : change.getXattrs().stream().map(Xattr::getName).toList();
    return new InodeState.Change(
        UpcallFlag.names(change.getFlags()),
        change.getEventTimeMs(),
        Instant.ofEpochMilli(change.getEventTimeMs()).toString(),
        meta.getLatestChangeOriginator(),
        change.getBrick(),
        change.getCauseFopId(),
        xattrs);
  }

  static Gfid parse(String text) {
    try {
      return Gfids.parse(text);
    } catch (IllegalArgumentException e) {
      throw new HttpProblem(
          400,
          "malformed gfid '"
              + text
              + "': a canonical UUID is expected, e.g. "
              + "6f1c2f0e-8a4b-4c3e-9d2a-1b5e7c9f0a11");
    }
  }
}
