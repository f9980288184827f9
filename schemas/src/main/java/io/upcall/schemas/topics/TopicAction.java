package io.upcall.schemas.topics;

/**
 * What {@link TopicEnsurer#ensure} did to, or found about, one topic.
 *
 * @param topic the topic name
 * @param kind what happened
 * @param detail for people: the settings created, the configs changed, or the difference left alone
 */
public record TopicAction(String topic, Kind kind, String detail) {

  /** What happened to a topic. */
  public enum Kind {
    /** The topic did not exist and was created with its settings. */
    CREATED,
    /** The topic existed; configs that differed from the settings were set. */
    CONFIGS_UPDATED,
    /** The topic existed with the configs of the settings. */
    UP_TO_DATE,
    /**
     * The topic existed with configs that differ from the settings, left as they are: someone (an operator) set them,
     * and only an explicit alignment ({@link TopicEnsurer#align}) changes them.
     */
    CONFIGS_DIFFER,
    /** The topic exists with another partition count; left alone, since changing it moves keys to other partitions. */
    PARTITIONS_DIFFER
  }

  @Override
  public String toString() {
    return switch (kind) {
      case CREATED -> "created " + topic + ": " + detail;
      case CONFIGS_UPDATED -> "updated " + topic + ": " + detail;
      case UP_TO_DATE -> "up to date " + topic;
      case CONFIGS_DIFFER -> "left as is " + topic + ": " + detail;
      case PARTITIONS_DIFFER -> "WARNING " + topic + ": " + detail;
    };
  }
}
