package io.upcall.schemas.topics;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names of Upcall's topics, the one place that defines them; a prefix (e.g. {@code "vol1."}) lets one
 * cluster serve several volumes.
 *
 * @param fops FopRecord, BrickHeartbeat and UpcallRequest values, key: the gfid's canonical string
 * @param fopsDlq fop records that could not be processed: original bytes plus reason headers
 * @param invalidations Invalidation, ProgressMark and UpcallEvent values, key: the client uid
 * @param xattrInterest XattrInterest values, key: the client uid (compacted)
 * @param config ConfigChange values, key: the option name (compacted)
 * @param replies LeaseRecallReply values, key: the brick that asked
 */
public record UpcallTopics(
    String fops,
    String fopsDlq,
    String invalidations,
    String xattrInterest,
    String config,
    String replies) {
  /** Config key of the prefix put before every topic name. */
  public static final String PREFIX_CONFIG = "upcall.topics.prefix";

  public static final String PREFIX_DOC =
      "Prefix of every Upcall topic name, e.g. 'vol1.' for the volume vol1, so one "
          + "Kafka cluster can serve several volumes. Empty by default.";

  public static final String PREFIX_DEFAULT = "";

  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");
  private static final int MAX_LENGTH = 249;

  public UpcallTopics {
    check("fops", fops);
    check("fopsDlq", fopsDlq);
    check("invalidations", invalidations);
    check("xattrInterest", xattrInterest);
    check("config", config);
    check("replies", replies);
    if (all(fops, fopsDlq, invalidations, xattrInterest, config, replies).stream()
            .distinct()
            .count()
        != 6) {
      throw new IllegalArgumentException(
          "Upcall topic names must differ: "
              + all(fops, fopsDlq, invalidations, xattrInterest, config, replies));
    }
  }

  /** The five topics of the first version, with the replies topic named after the fop topic's prefix. */
  public UpcallTopics(
      String fops, String fopsDlq, String invalidations, String xattrInterest, String config) {
    this(fops, fopsDlq, invalidations, xattrInterest, config, repliesBeside(fops));
  }

  /** The standard names: {@code upcall.fops}, {@code upcall.fops.dlq}, {@code upcall.invalidations}, … */
  public static UpcallTopics defaults() {
    return withPrefix("");
  }

  /** The standard names with {@code prefix} put before each, verbatim (e.g. {@code "vol1."}). */
  public static UpcallTopics withPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException(PREFIX_CONFIG + " must not be null");
    }
    return new UpcallTopics(
        prefix + "upcall.fops",
        prefix + "upcall.fops.dlq",
        prefix + "upcall.invalidations",
        prefix + "upcall.xattr-interest",
        prefix + "upcall.config",
        prefix + "upcall.replies");
  }

  /** The topics of one volume: the standard names prefixed with {@code volume + "."}. */
  public static UpcallTopics forVolume(String volume) {
    if (volume == null || volume.isEmpty()) {
      throw new IllegalArgumentException("volume must not be empty");
    }
    return withPrefix(volume + ".");
  }

  /** The topics named by {@link #PREFIX_CONFIG} in {@code configs} (Properties work too); standard names without it. */
  public static UpcallTopics fromConfig(Map<?, ?> configs) {
    Object prefix = configs.get(PREFIX_CONFIG);
    return withPrefix(prefix == null ? PREFIX_DEFAULT : prefix.toString().trim());
  }

  /** All six names, in the order of the record's components. */
  public List<String> all() {
    return all(fops, fopsDlq, invalidations, xattrInterest, config, replies);
  }

  /** {@code <prefix>upcall.replies} for a fop topic named {@code <prefix>upcall.fops}, else {@code <fops>.replies}. */
  private static String repliesBeside(String fops) {
    return fops != null && fops.endsWith("upcall.fops")
        ? fops.substring(0, fops.length() - "fops".length()) + "replies"
        : fops + ".replies";
  }

  private static List<String> all(String... names) {
    return List.of(names);
  }

  private static void check(String component, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(component + " topic name must not be empty");
    }
    if (name.length() > MAX_LENGTH
        || !LEGAL.matcher(name).matches()
        || name.equals(".")
        || name.equals("..")) {
      throw new IllegalArgumentException(
          component
              + " topic name '"
              + name
              + "' is not a legal Kafka topic name "
              + "(ASCII letters, digits, '.', '_', '-'; at most "
              + MAX_LENGTH
              + " characters)");
    }
  }
}
