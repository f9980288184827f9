package io.upcall.client;

import io.upcall.avro.Invalidation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps what it was told and measures how long after the causing fop was published it heard. */
final class InvalidationRecorder implements InvalidationListener {
  private final FileServer server;
  private final List<Invalidation> seen = new CopyOnWriteArrayList<>();

  InvalidationRecorder(FileServer server) {
    this.server = server;
  }

  @Override
  public void onInvalidation(Invalidation invalidation) {
    Long publishedAt = server.publishedAtNanos(invalidation.getCauseFopId());
    if (publishedAt != null) {
      Latencies.record(System.nanoTime() - publishedAt);
    }
    seen.add(invalidation);
  }

  List<Invalidation> seen() {
    return seen;
  }

  boolean heardOf(String fopId) {
    return seen.stream().anyMatch(invalidation -> fopId.equals(invalidation.getCauseFopId()));
  }
}
