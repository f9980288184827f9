package io.upcall.testkit;

/**
 * A safety net for a JVM that exits without {@code close()}: a shutdown hook that closes a broker or cluster (so no
 * broker and no temporary directory outlives the JVM), removed again when the owner is closed first.
 */
final class ExitHook {

  private final Thread thread;

  private ExitHook(Thread thread) {
    this.thread = thread;
  }

  /** Registers {@code close} to run at JVM exit, on a thread called {@code name}. */
  static ExitHook install(String name, Runnable close) {
    Thread thread = new Thread(close, name);
    Runtime.getRuntime().addShutdownHook(thread);
    return new ExitHook(thread);
  }

  /** Unregisters the hook; nothing when called from the hook itself or while the JVM is exiting. */
  void remove() {
    if (Thread.currentThread() == thread) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException jvmAlreadyShuttingDown) {
      // The hook is running or about to run; close() is idempotent.
    }
  }
}
