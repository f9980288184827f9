package io.upcall.client;

import io.upcall.avro.LeaseRecallReply;
import io.upcall.avro.UpcallEvent;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each upcall event addressed to this client to the listener of its type; an event of a type this client
 * does not know, or cannot decode, is skipped and counted, so new types break no client.
 */
final class UpcallEventDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(UpcallClient.class);

  private final String uid;
  private final LeaseRecallListener recalls;
  private final LockContentionListener contentions;
  private final Function<LeaseRecallReply, CompletableFuture<Void>> replies;
  private final InstantSource clock;
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  UpcallEventDispatcher(
      String uid,
      LeaseRecallListener recalls,
      LockContentionListener contentions,
      Function<LeaseRecallReply, CompletableFuture<Void>> replies,
      InstantSource clock) {
    this.uid = uid;
    this.recalls = recalls;
    this.contentions = contentions;
    this.replies = replies;
    this.clock = clock;
  }

  /** Nothing registered: every event is counted and skipped. */
  static UpcallEventDispatcher none(String uid) {
    return new UpcallEventDispatcher(uid, null, null, null, InstantSource.system());
  }

  void dispatch(UpcallEvent event) {
    switch (event.getEventType()) {
      case LEASE_RECALL -> {
        events.incrementAndGet();
        if (recalls != null) {
          LeaseRecallRequest recall = LeaseRecallRequest.of(event);
          RecallReply reply = new RecallReply(recall, uid, clock, replies);
          call(() -> recalls.onRecall(recall, reply), "lease recall listener");
        }
      }
      case INODELK_CONTENTION, ENTRYLK_CONTENTION -> {
        events.incrementAndGet();
        if (contentions != null) {
          LockContention contention = LockContention.of(event);
          call(() -> contentions.onContention(contention), "lock contention listener");
        }
      }
      default -> unknown(event.getEventType().name());
    }
  }

  /** An event this client cannot act on: a type it does not know, or a record it cannot decode. */
  void unknown(String what) {
    unknown.incrementAndGet();
    LOG.debug("upcall client {}: ignoring an upcall event of unknown type {}", uid, what);
  }

  long events() {
    return events.get();
  }

  long unknownEvents() {
    return unknown.get();
  }

  long listenerFailures() {
    return failures.get();
  }

  private void call(Runnable listener, String which) {
    try {
      listener.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      failures.incrementAndGet();
      LOG.warn("upcall client {}: the {} failed; carrying on", uid, which, e);
    }
  }
}
