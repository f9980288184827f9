package io.upcall.streams;

import io.upcall.schemas.topics.UpcallTopics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * What the topology takes from the configuration, as typed values that {@link UpcallStreamsConfig} parsed and
 * validated once ({@link UpcallStreamsConfig#topologySettings}).
 *
 * @param topics the names of Upcall's topics
 * @param switches the runtime switches the tasks start with
 * @param expiryInterval wall-clock interval of the expiry punctuation
 * @param marks how the tasks write progress marks, for the partitions of {@code upcall.fops}
 * @param bound the most tracked pairs one task keeps
 * @param pairsStore where the tasks keep their tracked pairs and their access order
 * @param batching how long and how large batches of invalidations grow
 * @param invalidationsPartitions partitions of {@code upcall.invalidations}
 * @param serdeConfigs what the value serdes are configured with: every option as given, as Kafka configures its
 *     serializers (see {@link io.upcall.schemas.serde.UpcallSerdeConfig})
 * @param streamsProperties the Kafka Streams properties the topology is built with
 */
record TopologySettings(
    UpcallTopics topics,
    Switches switches,
    Duration expiryInterval,
    ProgressMarks marks,
    TrackingBound bound,
    TrackedPairsStore pairsStore,
    BatchSettings batching,
    int invalidationsPartitions,
    Map<String, ?> serdeConfigs,
    Properties streamsProperties) {

  /**
   * The default settings with {@code topics}, {@code switches}, {@code expiryInterval} and {@code batching}, for one
   * partition of every topic: as {@code upcall simulate} and the topology tests run it.
   */
  static TopologySettings singlePartition(
      UpcallTopics topics, Switches switches, Duration expiryInterval, BatchSettings batching) {
    UpcallStreamsConfig defaults = new UpcallStreamsConfig(Map.of());
    return new TopologySettings(
        topics,
        switches,
        expiryInterval,
        defaults.progressMarks(1),
        defaults.trackingBound(1),
        defaults.trackedPairsStore(),
        batching,
        1,
        Map.of(),
        defaults.streamsProperties());
  }
}
