package io.upcall.schemas.topics;

import java.util.Map;
import java.util.TreeMap;

/** What one topic should look like. */
record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
  TopicSpec {
    configs = Map.copyOf(configs);
  }

  String describe() {
    return partitions + (partitions == 1 ? " partition" : " partitions") + ", replication factor " + replicationFactor
        + ", " + new TreeMap<>(configs);
  }
}
