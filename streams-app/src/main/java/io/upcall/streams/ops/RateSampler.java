package io.upcall.streams.ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Samples this instance's counters every few seconds and keeps the last minutes of rates in memory for the console's
 * charts: fops read from upcall.fops (the consumers' fetch metrics) and invalidations emitted (the processors'
 * sensor). Kafka's own rates are windowed over ~30 s; a chart wants a point per sample.
 */
final class RateSampler {
  static final String FETCH_GROUP = "consumer-fetch-manager-metrics";

  private final MetricsSource metrics;
  private final String fopsTopic;
  private final String fopsTopicTag;
  private final LongSupplier clockMs;
  private final int intervalSeconds;
  private final int capacity;
  private final ArrayDeque<InstanceRates.Point> points = new ArrayDeque<>();
  private Totals previous;

  /** The metrics to read, e.g. {@code KafkaStreams::metrics}. */
  interface MetricsSource {
    Map<MetricName, ? extends Metric> metrics();
  }

  private record Totals(long atMs, double fops, double invalidations) {}

  /**
   * @param fopsTopic the upcall.fops topic of this application
   * @param capacity points kept; older ones are dropped
   */
  RateSampler(
      MetricsSource metrics,
      String fopsTopic,
      LongSupplier clockMs,
      int intervalSeconds,
      int capacity) {
    this.metrics = metrics;
    this.fopsTopic = fopsTopic;
    this.fopsTopicTag = topicTag(fopsTopic);
    this.clockMs = clockMs;
    this.intervalSeconds = intervalSeconds;
    this.capacity = capacity;
  }

  /** Kafka's fetch metrics tag a topic with its dots as underscores. */
  static String topicTag(String topic) {
    return topic.replace('.', '_');
  }

  int intervalSeconds() {
    return intervalSeconds;
  }

  /** Takes one sample: a point of rates since the previous sample (none for the first). */
  void sample() {
    StreamsMetricSums sums = new StreamsMetricSums(metrics.metrics());
    long now = clockMs.getAsLong();
    Totals totals =
        new Totals(
            now,
            sums.sumTagged(FETCH_GROUP, "records-consumed-total", "topic", fopsTopicTag),
            sums.sum(StreamsMetricSums.UPCALL_GROUP, "invalidations-total"));
    synchronized (points) {
      if (previous != null && now > previous.atMs()) {
        double seconds = (now - previous.atMs()) / 1000.0;
        long atSecond = Math.round(now / 1000.0 / intervalSeconds) * intervalSeconds;
        points.addLast(
            new InstanceRates.Point(
                atSecond,
                rate(previous.fops(), totals.fops(), seconds),
                rate(previous.invalidations(), totals.invalidations(), seconds)));
        while (points.size() > capacity) {
          points.removeFirst();
        }
      }
      previous = totals;
    }
  }

  /**
   * Per second from two readings of a total. A total that went down was reset (a task's sensors leave with the task,
   * a missing metric reads -1): what happened since is unknown, counted as 0 rather than as a negative rate.
   */
  static double rate(double before, double after, double seconds) {
    if (before < 0 || after < before) {
      return 0;
    }
    return (after - before) / seconds;
  }

  /** The points kept, oldest first. */
  List<InstanceRates.Point> points() {
    synchronized (points) {
      return List.copyOf(points);
    }
  }

  /** The lag of every input partition this instance's consumers read: upcall.fops and the inode repartition topic. */
  List<InstanceRates.PartitionLag> lag(String stateTopicSuffix) {
    String suffixTag = topicTag(stateTopicSuffix);
    List<InstanceRates.PartitionLag> lag = new ArrayList<>();
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.metrics().entrySet()) {
      MetricName name = entry.getKey();
      String topic = name.tags().get("topic");
      String partition = name.tags().get("partition");
      if (!name.group().equals(FETCH_GROUP)
          || !name.name().equals("records-lag")
          || topic == null
          || partition == null
          || !(topic.equals(fopsTopicTag) || topic.endsWith(suffixTag))) {
        continue;
      }
      Object value = entry.getValue().metricValue();
      if (value instanceof Number number && !Double.isNaN(number.doubleValue())) {
        lag.add(
            new InstanceRates.PartitionLag(
                topic.equals(fopsTopicTag) ? fopsTopic : topic,
                Integer.parseInt(partition),
                (long) number.doubleValue()));
      }
    }
    lag.sort(
        Comparator.comparing(InstanceRates.PartitionLag::topic)
            .thenComparingInt(InstanceRates.PartitionLag::partition));
    return lag;
  }
}
