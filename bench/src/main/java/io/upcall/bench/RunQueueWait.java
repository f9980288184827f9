package io.upcall.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Time this JVM's threads spent runnable but waiting for a CPU, from Linux's per-thread {@code schedstat}: on a
 * machine with fewer cores than busy threads, the part of a step the app lost to the load generator, the broker and
 * the JIT compilers rather than to its own work or to waiting on the network.
 */
final class RunQueueWait {
  private static final Path TASKS = Path.of("/proc/self/task");

  private RunQueueWait() {}

  /** Nanoseconds this JVM's live threads have waited on a run queue so far, -1 where the kernel does not say. */
  static long nanos() {
    if (!Files.isDirectory(TASKS)) {
      return -1;
    }
    long total = 0;
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        total += waitedOf(task.resolve("schedstat"));
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return total;
  }

  /** The second of schedstat's three fields (on CPU, waiting, timeslices); 0 for a thread gone meanwhile. */
  private static long waitedOf(Path schedstat) {
    try {
      String[] fields = Files.readString(schedstat).trim().split(" ");
      return fields.length >= 2 ? Long.parseLong(fields[1]) : 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }
}
