package io.upcall.client;

import io.upcall.avro.LeaseRecallReply;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The answer to one lease recall, sent to the brick that asked through {@code upcall.replies}. Only the first
 * answer is sent; thread-safe.
 */
public final class RecallReply {
  private final LeaseRecallRequest recall;
  private final String client;
  private final InstantSource clock;
  private final Function<LeaseRecallReply, CompletableFuture<Void>> sender;
  private final AtomicBoolean answered = new AtomicBoolean();

  RecallReply(
      LeaseRecallRequest recall,
      String client,
      InstantSource clock,
      Function<LeaseRecallReply, CompletableFuture<Void>> sender) {
    this.recall = recall;
    this.client = client;
    this.clock = clock;
    this.sender = sender;
  }

  /** Tells the brick the lease is given back; completes when Kafka acknowledged the reply. */
  public CompletableFuture<Void> released() {
    return answer(true);
  }

  /** Tells the brick the lease is kept; completes when Kafka acknowledged the reply. */
  public CompletableFuture<Void> notReleased() {
    return answer(false);
  }

  /** Whether an answer was given. */
  public boolean answered() {
    return answered.get();
  }

  private CompletableFuture<Void> answer(boolean released) {
    if (!answered.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("recall " + recall.requestId() + " was already answered"));
    }
    return sender.apply(
        LeaseRecallReply.newBuilder()
            .setRequestId(recall.requestId())
            .setClient(client)
            .setBrick(recall.brick())
            .setGfid(recall.gfid())
            .setReleased(released)
            .setAtMs(clock.millis())
            .build());
  }
}
