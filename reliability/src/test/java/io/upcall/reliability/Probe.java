package io.upcall.reliability;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.producers.BrickPublisher;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A brick that publishes hand-made fops on a few files, so a test knows exactly which invalidation each should
 * cause and when it was published.
 */
final class Probe implements AutoCloseable {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final BrickPublisher brick;
  private final Map<String, Long> publishedAtNanos = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<RecordMetadata>> completions =
      new ConcurrentHashMap<>();

  Probe(BrickPublisher brick) {
    this.brick = brick;
  }

  /** {@code client} reads {@code gfid}'s attributes: it is tracked from now on. */
  CompletableFuture<RecordMetadata> stat(String client, Gfid gfid) {
    return publish(Fop.STAT, client, gfid, 1).thenApply(Published::metadata);
  }

  /** {@code client} writes {@code gfid}; every other fresh tracked client must be told. */
  Published write(String client, Gfid gfid, long size) {
    return publish(Fop.WRITE, client, gfid, size).join();
  }

  /** Publishes without waiting for the acknowledgement; the fop id names the invalidations it causes. */
  String writeAsync(String client, Gfid gfid, long size) {
    String fopId = "probe-" + SEQUENCE.incrementAndGet();
    completions.put(fopId, send(fopId, Fop.WRITE, client, gfid, size));
    return fopId;
  }

  /** The acknowledgement of a fop published with {@link #writeAsync}. */
  CompletableFuture<RecordMetadata> completion(String fopId) {
    return completions.get(fopId);
  }

  Long publishedAtNanos(String fopId) {
    return publishedAtNanos.get(fopId);
  }

  record Published(String fopId, RecordMetadata metadata) {}

  private CompletableFuture<Published> publish(Fop fop, String client, Gfid gfid, long size) {
    String fopId = "probe-" + SEQUENCE.incrementAndGet();
    return send(fopId, fop, client, gfid, size)
        .thenApply(metadata -> new Published(fopId, metadata));
  }

  private CompletableFuture<RecordMetadata> send(
      String fopId, Fop fop, String client, Gfid gfid, long size) {
    long now = System.currentTimeMillis();
    FopRecord record =
        FopRecord.newBuilder()
            .setVolume("")
            .setBrick("")
            .setFop(fop)
            .setClient(client)
            .setGfid(gfid)
            .setEventTimeMs(0) // stamped by the publisher at hand-off, so no heartbeat overtakes it
            .setFopId(fopId)
            .setStat(stat(now / 1000, size))
            .build();
    publishedAtNanos.put(fopId, System.nanoTime());
    return brick.publish(record);
  }

  static Iatt stat(long ctimeSec, long size) {
    return Iatt.newBuilder()
        .setType(IaType.REG)
        .setMode(0644)
        .setUid(0)
        .setGid(0)
        .setNlink(1)
        .setSize(size)
        .setBlocks((size + 511) / 512)
        .setAtimeSec(ctimeSec)
        .setAtimeNsec(0)
        .setMtimeSec(ctimeSec)
        .setMtimeNsec(0)
        .setCtimeSec(ctimeSec)
        .setCtimeNsec(0)
        .build();
  }

  @Override
  public void close() {
    brick.close();
  }
}
