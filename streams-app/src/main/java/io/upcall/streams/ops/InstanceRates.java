package io.upcall.streams.ops;

import java.util.List;

/**
 * One instance's part of {@code GET /rates}: what its rolling sampler saw over the last minutes, and the consumer
 * lag of its input partitions now.
 *
 * @param instance host:port
 * @param intervalSeconds seconds between two samples
 * @param points oldest first
 * @param lag per input partition (upcall.fops and the inode repartition topic) this instance reads now
 * @param error why the instance could not answer, else null
 */
public record InstanceRates(
    String instance,
    int intervalSeconds,
    List<Point> points,
    List<PartitionLag> lag,
    String error) {

  /**
   * Rates between the previous sample and this one.
   *
   * @param atSecond the sample's wall-clock second, rounded to the interval so that instances' samples line up
   * @param fopsPerSecond records read from upcall.fops per second
   * @param invalidationsPerSecond invalidations emitted per second
   */
  public record Point(long atSecond, double fopsPerSecond, double invalidationsPerSecond) {}

  /**
   * Records behind the end of one input partition, as the consumer last measured it.
   *
   * @param topic upcall.fops by its name; the repartition topic as Kafka's fetch metrics tag it (dots become
   *     underscores)
   */
  public record PartitionLag(String topic, int partition, long lag) {}
}
