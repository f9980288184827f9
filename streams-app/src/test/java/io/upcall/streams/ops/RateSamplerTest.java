package io.upcall.streams.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class RateSamplerTest {
  private final Map<MetricName, Metric> metrics = new LinkedHashMap<>();
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final RateSampler sampler =
      new RateSampler(() -> metrics, "vol.upcall.fops", clock::get, 2, 3);

  @Test
  void aPointIsTheRateSinceThePreviousSampleAlignedToTheInterval() {
    set(
        "consumer-fetch-manager-metrics",
        "records-consumed-total",
        100,
        "topic",
        "vol_upcall_fops",
        "client-id",
        "a");
    set(
        "consumer-fetch-manager-metrics",
        "records-consumed-total",
        7,
        "topic",
        "other",
        "client-id",
        "a");
    set("stream-upcall-metrics", "invalidations-total", 10, "task-id", "0_0");
    sampler.sample();
    assertThat(sampler.points()).isEmpty();

    clock.addAndGet(2_100);
    set(
        "consumer-fetch-manager-metrics",
        "records-consumed-total",
        142,
        "topic",
        "vol_upcall_fops",
        "client-id",
        "a");
    set("stream-upcall-metrics", "invalidations-total", 31, "task-id", "0_0");
    sampler.sample();

    assertThat(sampler.points())
        .singleElement()
        .satisfies(
            point -> {
              assertThat(point.atSecond()).isEqualTo(1002);
              assertThat(point.fopsPerSecond()).isEqualTo(20.0);
              assertThat(point.invalidationsPerSecond()).isEqualTo(10.0);
            });
  }

  @Test
  void aTotalThatWentDownCountsAsNoneAndOldPointsAreDropped() {
    set("stream-upcall-metrics", "invalidations-total", 50, "task-id", "0_0");
    for (int sample = 0; sample < 5; sample++) {
      sampler.sample();
      clock.addAndGet(2_000);
      set(
          "stream-upcall-metrics",
          "invalidations-total",
          sample == 2 ? 5 : 50 + sample * 10,
          "task-id",
          "0_0");
    }
    assertThat(sampler.points())
        .hasSize(3)
        .extracting(InstanceRates.Point::invalidationsPerSecond)
        .containsExactly(5.0, 0.0, 37.5);
    assertThat(RateSampler.rate(-1, 10, 1)).isZero();
  }

  @Test
  void lagIsReadPerInputPartition() {
    set(
        "consumer-fetch-manager-metrics",
        "records-lag",
        12,
        "topic",
        "vol_upcall_fops",
        "partition",
        "1");
    set(
        "consumer-fetch-manager-metrics",
        "records-lag",
        3,
        "topic",
        "app-inode-events-repartition",
        "partition",
        "0");
    set(
        "consumer-fetch-manager-metrics",
        "records-lag",
        99,
        "topic",
        "app-some-changelog",
        "partition",
        "0");

    assertThat(sampler.lag("-inode-events-repartition"))
        .containsExactly(
            new InstanceRates.PartitionLag("app-inode-events-repartition", 0, 3),
            new InstanceRates.PartitionLag("vol.upcall.fops", 1, 12));
  }

  private void set(String group, String name, double value, String... tags) {
    Map<String, String> tagMap = new LinkedHashMap<>();
    for (int i = 0; i < tags.length; i += 2) {
      tagMap.put(tags[i], tags[i + 1]);
    }
    MetricName metricName = new MetricName(name, group, "", tagMap);
    metrics.put(
        metricName,
        new Metric() {
          @Override
          public MetricName metricName() {
            return metricName;
          }

          @Override
          public Object metricValue() {
            return value;
          }
        });
  }
}
