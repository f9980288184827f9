package io.upcall.bench;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The time a streams app's producers have spent blocked in the calls a commit makes, from the producers' own
 * metrics: {@code flush} (every guarantee: a commit waits for every record sent to be acknowledged), and under
 * exactly-once {@code sendOffsetsToTransaction} and {@code commitTransaction}. The stream thread makes these calls,
 * so their sum over a window, divided by the window, is the share of it the thread waited for a commit.
 */
final class ProducerWaits {
  private static final String PRODUCER_METRICS_GROUP = "producer-metrics";

  /** The metrics summed, in the order {@link #in} returns them. */
  static final String[] METRICS = {
    "flush-time-ns-total", "txn-send-offsets-time-ns-total", "txn-commit-time-ns-total"
  };

  private ProducerWaits() {}

  /** Nanoseconds so far in each of {@link #METRICS}, summed over the producers in {@code metrics}. */
  static long[] in(Map<MetricName, ? extends Metric> metrics) {
    double[] sums = new double[METRICS.length];
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
      MetricName name = entry.getKey();
      if (!name.group().equals(PRODUCER_METRICS_GROUP)) {
        continue;
      }
      for (int i = 0; i < METRICS.length; i++) {
        if (name.name().equals(METRICS[i])
            && entry.getValue().metricValue() instanceof Number number
            && Double.isFinite(number.doubleValue())) {
          sums[i] += number.doubleValue();
        }
      }
    }
    long[] nanos = new long[sums.length];
    for (int i = 0; i < sums.length; i++) {
      nanos[i] = Math.round(sums[i]);
    }
    return nanos;
  }
}
