package io.upcall.bench;

import io.upcall.streams.UpcallProcessor;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The invalidations a streams app has told so far, from its metrics: the {@code invalidations-total} sensors summed
 * over tasks, one per (change, recipient) whatever the output format and before any folding.
 */
public final class InvalidationsTold {
  /** Group of the Upcall processors' sensors: Streams names it {@code stream-<scope>-metrics}, scope "upcall". */
  private static final String UPCALL_METRICS_GROUP = "stream-upcall-metrics";

  private static final String INVALIDATIONS_TOTAL = UpcallProcessor.INVALIDATIONS_SENSOR + "-total";

  private InvalidationsTold() {}

  /** The sum in {@code metrics} (a {@code KafkaStreams}' or a {@code TopologyTestDriver}'s). */
  public static long in(Map<MetricName, ? extends Metric> metrics) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
      MetricName name = entry.getKey();
      if (name.group().equals(UPCALL_METRICS_GROUP)
          && name.name().equals(INVALIDATIONS_TOTAL)
          && entry.getValue().metricValue() instanceof Number number
          && Double.isFinite(number.doubleValue())) {
        total += number.doubleValue();
      }
    }
    return Math.round(total);
  }
}
