package io.upcall.client;

/**
 * Told when another client waits for a lock this client holds. Called on the client's poll thread: return
 * quickly; exceptions are logged and ignored.
 */
@FunctionalInterface
public interface LockContentionListener {

  /** Reacts to one contention notice. */
  void onContention(LockContention contention);
}
