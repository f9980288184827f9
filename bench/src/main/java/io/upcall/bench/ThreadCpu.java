package io.upcall.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.function.Predicate;

/**
 * CPU time spent by the threads of one Kafka Streams application in this JVM (stream threads, their producers'
 * network threads, the global and state-updater threads: every thread whose name holds the application id). CPU
 * per record is what a busy machine distorts least: a co-tenant slows a run down, but hardly changes the work it
 * takes.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ThreadCpu() {}

  /** Nanoseconds of CPU the live threads named after {@code applicationId} have used so far (-1 if unsupported). */
  static long of(String applicationId) {
    return ofThreads(name -> name.contains(applicationId));
  }

  /**
   * Nanoseconds of CPU the stream threads of {@code applicationId} (named {@code <application id>-<uuid>-StreamThread-N};
   * not the global thread, not their producers' network threads) have used so far, -1 if unsupported: set against
   * wall-clock time, it says whether the thread that processes every record was busy or waiting.
   */
  static long ofStreamThreads(String applicationId) {
    return ofThreads(name -> name.startsWith(applicationId) && name.contains("-StreamThread-"));
  }

  private static long ofThreads(Predicate<String> named) {
    if (!THREADS.isThreadCpuTimeSupported()) {
      return -1;
    }
    long total = 0;
    for (ThreadInfo thread : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (thread != null && named.test(thread.getThreadName())) {
        long cpu = THREADS.getThreadCpuTime(thread.getThreadId());
        if (cpu > 0) {
          total += cpu;
        }
      }
    }
    return total;
  }
}
