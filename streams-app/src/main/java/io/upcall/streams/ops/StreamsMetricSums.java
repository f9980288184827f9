package io.upcall.streams.ops;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Sums of one instance's Kafka Streams metrics over its threads, tasks and stores, read once per request. */
final class StreamsMetricSums {
  /** Group of the Upcall processors' sensors (invalidations, dead letters): {@code stream-upcall-metrics}. */
  static final String UPCALL_GROUP = "stream-upcall-metrics";

  static final String THREAD_GROUP = "stream-thread-metrics";
  static final String STATE_GROUP = "stream-state-metrics";

  /** Tag naming the store of a RocksDB metric. */
  static final String ROCKSDB_STORE_TAG = "rocksdb-state-id";

  private final Map<MetricName, ? extends Metric> metrics;

  StreamsMetricSums(Map<MetricName, ? extends Metric> metrics) {
    this.metrics = metrics;
  }

  /** The sum of the metric {@code name} of {@code group}; NaN (a rate with no samples yet) counts as 0. */
  double sum(String group, String name) {
    return sum(group, name, null, null);
  }

  /** The sum over the metrics whose tag {@code tag} is {@code value}; -1 when there is no such metric. */
  double sumTagged(String group, String name, String tag, String value) {
    return sum(group, name, tag, value);
  }

  private double sum(String group, String name, String tag, String tagValue) {
    double sum = 0;
    boolean found = false;
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
      MetricName metricName = entry.getKey();
      if (!metricName.group().equals(group)
          || !metricName.name().equals(name)
          || (tag != null && !tagValue.equals(metricName.tags().get(tag)))) {
        continue;
      }
      found = true;
      Object value = entry.getValue().metricValue();
      if (value instanceof Number number
          && !Double.isNaN(number.doubleValue())
          && !Double.isInfinite(number.doubleValue())) {
        sum += number.doubleValue();
      }
    }
    return found || tag == null ? sum : -1;
  }
}
