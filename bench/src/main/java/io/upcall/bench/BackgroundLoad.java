package io.upcall.bench;

import io.upcall.producers.load.LoadRunner;
import io.upcall.producers.load.LoadSummary;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** The load generator running on a thread of its own while a bench section watches the pipeline. */
final class BackgroundLoad {
  private final CompletableFuture<LoadSummary> run;

  private BackgroundLoad(CompletableFuture<LoadSummary> run) {
    this.run = run;
  }

  static BackgroundLoad start(LoadRunner runner) {
    return new BackgroundLoad(
        CompletableFuture.supplyAsync(
            runner::run, task -> new Thread(task, "upcall-bench-load").start()));
  }

  boolean isDone() {
    return run.isDone();
  }

  /** Waits for the load to end and returns its summary; a failure of the generator ends the section. */
  LoadSummary await() {
    try {
      return run.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "the load generator failed: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
