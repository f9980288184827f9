package io.upcall.bench;

import io.upcall.testkit.EmbeddedKafkaBroker;

/** The Kafka cluster a bench run measures against: one it started (in a child JVM or in-process) or a given one. */
public interface BenchCluster extends AutoCloseable {

  /** The {@code bootstrap.servers} of the cluster. */
  String bootstrapServers();

  /** What the cluster is, for the report: e.g. "one broker in a child JVM (-Xmx1g)". */
  String description();

  /**
   * CPU time the broker process has used so far, in nanoseconds, when the bench can see it (a broker in a child
   * JVM on Linux); -1 otherwise (in-process, the broker's threads are not told apart from the clients').
   */
  default long brokerCpuNanos() {
    return -1;
  }

  /** Stops what the bench started; a given cluster is left alone. */
  @Override
  void close();

  /** A cluster the bench did not start: it is only used (and the bench's topics on it deleted afterwards). */
  static BenchCluster external(String bootstrapServers) {
    return new BenchCluster() {
      @Override
      public String bootstrapServers() {
        return bootstrapServers;
      }

      @Override
      public String description() {
        return "the cluster at " + bootstrapServers;
      }

      @Override
      public void close() {}
    };
  }

  /**
   * A single-node broker inside this JVM: cheaper to start, but it shares the heap and GC with the clients it is
   * measured against.
   */
  static BenchCluster inProcess() {
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().brokerProperties(BrokerMain.BENCH_BROKER).build().start();
    return new BenchCluster() {
      @Override
      public String bootstrapServers() {
        return broker.bootstrapServers();
      }

      @Override
      public String description() {
        return "one broker (KRaft) in the bench's JVM";
      }

      @Override
      public void close() {
        broker.close();
      }
    };
  }

  /**
   * A single-node broker in a child JVM with {@code heap} (e.g. {@code 1g}): its own heap and GC, as a real broker
   * has, while it shares the machine's cores with everything measured.
   */
  static BenchCluster childJvm(String heap) {
    return ChildJvmBroker.start(heap);
  }
}
