package io.upcall.streams;

import java.util.Locale;
import java.util.Set;

/**
 * The runtime switches (docs/semantics.md, "Switches"): GlusterFS's {@code cache-invalidation} and
 * {@code cache-invalidation-timeout}, the lock-contention notice spacing {@code notify-contention-delay}, and the wire
 * format of the invalidations {@code invalidation-format}, with the parsing that both the start-up configuration and
 * the {@code upcall.config} topic apply.
 *
 * @param cacheInvalidation false means no tracking and no invalidations
 * @param timeoutSeconds T: a client is fresh while eventSecond - lastAccessSecond &lt; T; 0 notifies nobody
 * @param notifyContentionDelaySeconds the least event time between two contention notices of one lock holder on
 *     one inode (GlusterFS's notify-contention-delay); 0 sends every notice
 * @param format one record per client and change, or batches per partition
 */
public record Switches(
    boolean cacheInvalidation,
    int timeoutSeconds,
    int notifyContentionDelaySeconds,
    InvalidationFormat format) {
  /** Option name of the on/off switch, as GlusterFS names the volume option. */
  public static final String CACHE_INVALIDATION = "cache-invalidation";

  /** Option name of the timeout T in whole seconds. */
  public static final String CACHE_INVALIDATION_TIMEOUT = "cache-invalidation-timeout";

  /** Option name of the contention notice spacing in whole seconds, as GlusterFS's locks translator names it. */
  public static final String NOTIFY_CONTENTION_DELAY = "notify-contention-delay";

  /** GlusterFS's default notify-contention-delay: 5 s. */
  public static final int NOTIFY_CONTENTION_DELAY_DEFAULT = 5;

  /** Option name of the wire format of upcall.invalidations: per-client or batched. */
  public static final String INVALIDATION_FORMAT = "invalidation-format";

  /** Batches for new deployments: clients of this version read both formats. */
  public static final String INVALIDATION_FORMAT_DEFAULT = "batched";

  /** Every option the switches understand. */
  public static final Set<String> OPTIONS =
      Set.of(
          CACHE_INVALIDATION,
          CACHE_INVALIDATION_TIMEOUT,
          NOTIFY_CONTENTION_DELAY,
          INVALIDATION_FORMAT);

  /** GlusterFS's defaults: on, 60 s, 5 s; and batches. */
  public static final Switches DEFAULTS = new Switches(true, 60);

  public Switches {
    if (timeoutSeconds < 0) {
      throw new IllegalArgumentException(
          CACHE_INVALIDATION_TIMEOUT + " must be >= 0 seconds, got " + timeoutSeconds);
    }
    if (notifyContentionDelaySeconds < 0) {
      throw new IllegalArgumentException(
          NOTIFY_CONTENTION_DELAY + " must be >= 0 seconds, got " + notifyContentionDelaySeconds);
    }
    if (format == null) {
      throw new IllegalArgumentException(INVALIDATION_FORMAT + " must be set");
    }
  }

  /** The three GlusterFS switches, with the default wire format. */
  public Switches(boolean cacheInvalidation, int timeoutSeconds, int notifyContentionDelaySeconds) {
    this(
        cacheInvalidation,
        timeoutSeconds,
        notifyContentionDelaySeconds,
        InvalidationFormat.parse(INVALIDATION_FORMAT_DEFAULT));
  }

  /** The two cache-invalidation switches, with GlusterFS's default notify-contention-delay. */
  public Switches(boolean cacheInvalidation, int timeoutSeconds) {
    this(cacheInvalidation, timeoutSeconds, NOTIFY_CONTENTION_DELAY_DEFAULT);
  }

  /** These switches writing invalidations in {@code format}. */
  public Switches withFormat(String format) {
    return with(INVALIDATION_FORMAT, format);
  }

  /** These switches with {@code option} set from {@code text}; an IllegalArgumentException names the option. */
  public Switches with(String option, String text) {
    switch (option) {
      case CACHE_INVALIDATION:
        return new Switches(parseOnOff(text), timeoutSeconds, notifyContentionDelaySeconds, format);
      case CACHE_INVALIDATION_TIMEOUT:
        return new Switches(
            cacheInvalidation, parseTimeout(text), notifyContentionDelaySeconds, format);
      case NOTIFY_CONTENTION_DELAY:
        return new Switches(
            cacheInvalidation, timeoutSeconds, parseSeconds(NOTIFY_CONTENTION_DELAY, text), format);
      case INVALIDATION_FORMAT:
        return new Switches(
            cacheInvalidation,
            timeoutSeconds,
            notifyContentionDelaySeconds,
            InvalidationFormat.parse(text));
      default:
        throw new IllegalArgumentException(
            "unknown option '" + option + "' (known: " + OPTIONS + ")");
    }
  }

  /**
   * The canonical text of {@code text} as a value of {@code option} (e.g. "on" for "yes"): the one check that the
   * {@code upcall.config} topic's changes pass on every instance, and that {@code upcall config set} applies before
   * writing. An IllegalArgumentException names the option and what it accepts.
   */
  public static String canonical(String option, String text) {
    return DEFAULTS.with(option, text).valueOf(option);
  }

  /** The canonical text of {@code option}'s value, e.g. "on" or "60". */
  public String valueOf(String option) {
    switch (option) {
      case CACHE_INVALIDATION:
        return cacheInvalidation ? "on" : "off";
      case CACHE_INVALIDATION_TIMEOUT:
        return Integer.toString(timeoutSeconds);
      case NOTIFY_CONTENTION_DELAY:
        return Integer.toString(notifyContentionDelaySeconds);
      case INVALIDATION_FORMAT:
        return format.text();
      default:
        throw new IllegalArgumentException(
            "unknown option '" + option + "' (known: " + OPTIONS + ")");
    }
  }

  /** A GlusterFS boolean: on/off, true/false, yes/no, enable/disable, 1/0 (any case). */
  static boolean parseOnOff(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    switch (value) {
      case "on":
      case "true":
      case "yes":
      case "enable":
      case "1":
        return true;
      case "off":
      case "false":
      case "no":
      case "disable":
      case "0":
        return false;
      default:
        throw new IllegalArgumentException(
            CACHE_INVALIDATION + " must be on or off, got '" + text + "'");
    }
  }

  /** Whole seconds, 0 or more. */
  static int parseTimeout(String text) {
    return parseSeconds(CACHE_INVALIDATION_TIMEOUT, text);
  }

  /** Whole seconds, 0 or more, for {@code option}. */
  static int parseSeconds(String option, String text) {
    try {
      int seconds = Integer.parseInt(text == null ? "" : text.trim());
      if (seconds >= 0) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // fall through to the one message
    }
    throw new IllegalArgumentException(
        option + " must be a whole number of seconds >= 0, got '" + text + "'");
  }
}
