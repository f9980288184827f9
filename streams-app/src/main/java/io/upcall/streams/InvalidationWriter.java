package io.upcall.streams;

import static io.upcall.schemas.UpcallFlag.TIMES;
import static io.upcall.schemas.UpcallFlag.XATTR;
import static io.upcall.schemas.UpcallFlag.XATTR_RM;
import static io.upcall.schemas.UpcallFlag.mask;

import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.avro.Xattr;
import io.upcall.avro.XattrInterest;
import io.upcall.schemas.InvalidationCopies;
import io.upcall.schemas.XattrGlob;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Tells clients the invalidations a task decides, in the output format in force: in the {@code batched} format as
 * {@link InvalidationBatch} records through the {@link InvalidationOutbox}, in the {@code per-client} format one
 * {@link Invalidation} per recipient keyed by its client uid; and counts them in the invalidations sensor.
 */
final class InvalidationWriter {
  private static final int XATTR_FLAGS = mask(XATTR, XATTR_RM);

  private final ProcessorContext<String, SpecificRecord> context;
  private final InvalidationOutbox outbox;
  private final BatchSettings batching;
  private final KeyValueStore<String, XattrInterest> xattrInterest;
  private final Sensor invalidations;
  private InvalidationFormat format;

  /** The last change given a timeout, shared by all its recipients in a batch (encoded once). */
  private Invalidation sharedChange;

  private int sharedTimeout;
  private Invalidation sharedBody;

  InvalidationWriter(
      ProcessorContext<String, SpecificRecord> context,
      InvalidationOutbox outbox,
      BatchSettings batching,
      KeyValueStore<String, XattrInterest> xattrInterest,
      Sensor invalidations,
      InvalidationFormat format) {
    this.context = context;
    this.outbox = outbox;
    this.batching = batching;
    this.xattrInterest = xattrInterest;
    this.invalidations = invalidations;
    this.format = format;
  }

  /** Tells {@code client} the {@code change}, as far as its xattr patterns ask for it, with the given timeout. */
  void tell(String client, Invalidation change, int timeoutSeconds, long outputTimestamp) {
    tell(client, change, timeoutSeconds, outputTimestamp, false);
  }

  /**
   * Tells a late reader the inode's latest change, which may merge several: its TIMES reaches the client even when
   * the client matches none of its xattr names (a stat change merged with an xattr change).
   */
  void tellLatest(String client, Invalidation latest, int timeoutSeconds, long outputTimestamp) {
    tell(client, latest, timeoutSeconds, outputTimestamp, true);
  }

  private void tell(
      String client,
      Invalidation change,
      int timeoutSeconds,
      long outputTimestamp,
      boolean merged) {
    Invalidation body;
    if (change.getXattrs().isEmpty()) {
      if (change != sharedChange || timeoutSeconds != sharedTimeout) {
        sharedChange = change;
        sharedTimeout = timeoutSeconds;
        sharedBody = forClient(change, "", List.of(), timeoutSeconds, merged);
      }
      body = sharedBody;
    } else {
      body =
          forClient(
              change,
              "",
              XattrInterestProcessor.patternsOf(xattrInterest, client),
              timeoutSeconds,
              merged);
    }
    if (body != null) {
      write(client, body, outputTimestamp);
    }
  }

  /** Tells {@code client} the invalidation {@code body} (client uid empty) as it is. */
  void write(String client, Invalidation body, long outputTimestamp) {
    if (format == InvalidationFormat.BATCHED) {
      outbox.add(client, body, outputTimestamp);
    } else {
      context.forward(
          new Record<>(client, SharedChangeSerializer.withClient(body, client), outputTimestamp));
    }
    invalidations.record();
  }

  /** Switches the output format; what was batched goes first, so each client gets its changes in order. */
  void switchTo(InvalidationFormat next, long timestamp) {
    if (next != format) {
      format = next;
      writeBatches(timestamp);
    }
  }

  /**
   * Ends a record or punctuation: batches that are full (or all of them, without a batch delay) are written, and
   * the rest are made durable before Streams may commit (see {@link InvalidationOutbox}).
   */
  void endOfWork(long timestamp) {
    if (batching.immediate()) {
      writeBatches(timestamp);
      return;
    }
    for (InvalidationBatch batch : outbox.takeFull()) {
      context.forward(new Record<>(null, batch, timestamp));
    }
    outbox.persist();
  }

  /** Writes every batch now: at the batch delay, before a change of format, before a forget untracks. */
  void writeBatches(long timestamp) {
    if (outbox.isEmpty()) {
      return;
    }
    long latest = outbox.latestTimestamp(timestamp);
    for (InvalidationBatch batch : outbox.takeAll()) {
      context.forward(new Record<>(null, batch, latest));
    }
    outbox.persist();
  }

  /**
   * {@code change} as {@code client} gets it, or null when it concerns nothing the client caches: a change that
   * names xattrs tells each client only the names its patterns match, and TIMES rides along only with a match (as
   * GlusterFS sends TIMES|XATTR) unless the change is {@code merged}, where TIMES may come from another change.
   */
  private static Invalidation forClient(
      Invalidation change,
      String client,
      List<String> patterns,
      int timeoutSeconds,
      boolean merged) {
    int flags = change.getFlags();
    List<Xattr> xattrs = change.getXattrs();
    if (!xattrs.isEmpty()) {
      List<Xattr> matched = new ArrayList<>(xattrs.size());
      for (Xattr xattr : xattrs) {
        if (XattrGlob.matchesAny(patterns, xattr.getName())) {
          matched.add(xattr);
        }
      }
      if (matched.isEmpty()) {
        if ((flags & ~(XATTR_FLAGS | (merged ? 0 : TIMES.bit()))) == 0) {
          return null;
        }
        flags &= ~XATTR_FLAGS;
      }
      xattrs = matched;
    }
    return InvalidationCopies.of(change)
        .setClient(client)
        .setFlags(flags)
        .setXattrs(xattrs)
        .setExpireTimeSeconds(timeoutSeconds)
        .build();
  }
}
