package io.upcall.client;

import io.upcall.avro.Invalidation;

/**
 * Told of every invalidation addressed to this client, after the cache applied it, e.g. so an NFS server can
 * recall a delegation. Called on the client's poll thread: return quickly; exceptions are logged and ignored.
 */
@FunctionalInterface
public interface InvalidationListener {

  /** Reacts to one invalidation (never a progress mark). */
  void onInvalidation(Invalidation invalidation);
}
