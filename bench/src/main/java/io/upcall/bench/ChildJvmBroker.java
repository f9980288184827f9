package io.upcall.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node broker in a child JVM on this classpath ({@link BrokerMain}): its own heap and GC, as a real
 * broker has, while it shares the machine's cores with everything measured. Closing it closes its standard input;
 * the child then stops the broker and deletes its data.
 */
final class ChildJvmBroker implements BenchCluster {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final String bootstrapServers;
  private final String heap;
  private final Path log;

  private ChildJvmBroker(Process process, String bootstrapServers, String heap, Path log) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.heap = heap;
    this.log = log;
  }

  /**
   * Starts the child and waits until it announces its address.
   *
   * @param heap the child's maximum heap, e.g. {@code 1g}
   * @throws IllegalStateException with the child's log file when it does not come up
   */
  static ChildJvmBroker start(String heap) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-Xmx" + heap,
                "-Xms" + heap,
                "-XX:+UseG1GC",
                "-cp",
                System.getProperty("java.class.path"),
                BrokerMain.class.getName()));
    Path log;
    Process process;
    try {
      log = Files.createTempFile("upcall-bench-broker-", ".log");
      process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the broker JVM: " + e.getMessage(), e);
    }
    CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> readAddress(process));
    try {
      String bootstrap = address.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (bootstrap == null) {
        throw new IllegalStateException("the broker JVM exited before it was ready; see " + log);
      }
      return new ChildJvmBroker(process, bootstrap, heap, log);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the broker JVM started", e);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "the broker JVM did not start within " + START_TIMEOUT.toSeconds() + " s; see " + log, e);
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** The address from the ready line; null when the child's output ends first. The rest of stdout is drained. */
  private static String readAddress(Process process) {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(BrokerMain.READY)) {
          Thread drain =
              new Thread(
                  () -> {
                    try {
                      while (out.readLine() != null) {
                        // the child's chatter, if any, is of no use here
                      }
                    } catch (IOException ignored) {
                      // the child is gone
                    }
                  },
                  "upcall-bench-broker-stdout");
          drain.setDaemon(true);
          drain.start();
          return line.substring(BrokerMain.READY.length()).trim();
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public String description() {
    return "one broker (KRaft) in a child JVM (-Xmx" + heap + ")";
  }

  /** The child JVM's process id, e.g. to profile the broker. */
  long pid() {
    return process.pid();
  }

  /** utime + stime of the child from /proc (clock ticks of 10 ms on Linux), or -1 where there is no /proc. */
  @Override
  public long brokerCpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // The command name (2nd field) is in parentheses and may hold spaces: count fields after the
      // last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
      Files.deleteIfExists(log);
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
