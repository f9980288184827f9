package io.upcall.bench;

import io.upcall.testkit.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The child JVM of {@link ChildJvmBroker}: a single-node broker that prints {@link #READY} and its address, then
 * runs until its standard input closes, which happens when the bench closes it or dies.
 */
public final class BrokerMain {
  /** The line prefix that announces the broker's address on standard output. */
  static final String READY = "upcall-bench-broker ready at ";

  /**
   * A benchmark writes gigabytes a minute: retention must act within seconds, not the default five minutes, for
   * the topics' byte bounds to bound the disk.
   */
  static final Map<String, String> BENCH_BROKER =
      Map.of(
          "log.retention.check.interval.ms", "5000",
          "log.segment.delete.delay.ms", "1000",
          "file.delete.delay.ms", "1000",
          "group.initial.rebalance.delay.ms", "0");

  private BrokerMain() {}

  public static void main(String[] args) throws IOException {
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().brokerProperties(BENCH_BROKER).build().start()) {
      System.out.println(READY + broker.bootstrapServers());
      System.out.flush();
      InputStream parent = System.in;
      while (parent.read() >= 0) {
        // Nothing is sent; end of input means the bench is done (or gone).
      }
    }
  }
}
