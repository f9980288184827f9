package io.upcall.schemas.topics;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;

/** What one topic should look like. */
record TopicSpec(
    String name, int partitions, short replicationFactor, Map<String, String> configs) {
  TopicSpec {
    configs = Map.copyOf(configs);
  }

  String describe() {
    return describe(
        replicationFactor == TopicSettings.CLUSTER_DEFAULT_REPLICATION
            ? "the cluster's default"
            : Short.toString(replicationFactor));
  }

  /** Like {@link #describe()}, with the replication factor as given (e.g. what the cluster's default turned out to be). */
  String describe(String replication) {
    return partitions
        + (partitions == 1 ? " partition" : " partitions")
        + ", replication factor "
        + replication
        + ", "
        + new TreeMap<>(configs);
  }

  /** The request creating this topic; the cluster's default replication factor when none is given. */
  NewTopic newTopic() {
    Optional<Short> replicas =
        replicationFactor == TopicSettings.CLUSTER_DEFAULT_REPLICATION
            ? Optional.empty()
            : Optional.of(replicationFactor);
    return new NewTopic(name, Optional.of(partitions), replicas).configs(configs);
  }
}
