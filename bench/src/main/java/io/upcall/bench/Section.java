package io.upcall.bench;

import java.util.Locale;

/** One part of a bench run; a run measures all of them unless told otherwise. */
public enum Section {
  /** Produce → consume of FopRecord-sized records: the broker's and clients' ceiling. */
  RAW,
  /** A stateless Kafka Streams pass-through (filter → to) of the same records: the ceiling of any Streams app. */
  BASELINE,
  /** Load generator → streams app → invalidations: the highest rate sustained without growing lag. */
  PIPELINE,
  /** Publish call → another client's cache applied the invalidation, at fixed rates. */
  LATENCY,
  /** One write to an inode cached by many clients: time until every invalidation is consumed. */
  FANOUT,
  /** Heap and disk per tracked (inode, client) pair, and restore time of that state. */
  STATE;

  /** The name on the command line: {@code raw}, {@code baseline}, … */
  public String option() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The section named {@code option}.
   *
   * @throws IllegalArgumentException listing the names when there is no such section
   */
  public static Section parse(String option) {
    for (Section section : values()) {
      if (section.option().equals(option.trim().toLowerCase(Locale.ROOT))) {
        return section;
      }
    }
    StringBuilder names = new StringBuilder();
    for (Section section : values()) {
      names.append(names.length() == 0 ? "" : ", ").append(section.option());
    }
    throw new IllegalArgumentException(
        "unknown section '" + option + "' (sections: " + names + ")");
  }
}
