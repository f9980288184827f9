package io.upcall.client;

/**
 * Told when a brick recalls a lease this client holds. Answer through {@code reply}, now or later from any thread,
 * before the recall's deadline; a recall left unanswered counts as not released when the deadline passes. Called
 * on the client's poll thread: return quickly; exceptions are logged and ignored.
 */
@FunctionalInterface
public interface LeaseRecallListener {

  /** Reacts to one recall; answer with {@link RecallReply#released()} or {@link RecallReply#notReleased()}. */
  void onRecall(LeaseRecallRequest recall, RecallReply reply);
}
