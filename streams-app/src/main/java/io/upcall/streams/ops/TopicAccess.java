package io.upcall.streams.ops;

import io.upcall.schemas.topics.UpcallTopics;
import java.util.Map;

/**
 * What the console needs of Kafka beyond the running app: the names of Upcall's topics (fops/s counts what is read
 * from upcall.fops) and a producer's settings for writing switch changes to upcall.config.
 *
 * @param producerConfigs the app's producer settings (bootstrap servers, security), used only when changes are allowed
 */
public record TopicAccess(UpcallTopics topics, Map<String, Object> producerConfigs) {
  public TopicAccess {
    producerConfigs = Map.copyOf(producerConfigs);
  }
}
