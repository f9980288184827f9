package io.upcall.streams;

import java.util.Locale;
import java.util.Set;

/**
 * The two runtime switches of the spec, {@code cache-invalidation} and {@code cache-invalidation-timeout}, with
 * the parsing that both the start-up configuration and the {@code upcall.config} topic apply.
 *
 * @param cacheInvalidation false means no tracking and no invalidations
 * @param timeoutSeconds T: a client is fresh while eventSecond - lastAccessSecond &lt; T; 0 notifies nobody
 */
public record Switches(boolean cacheInvalidation, int timeoutSeconds) {
  /** Option name of the on/off switch, as GlusterFS names the volume option. */
  public static final String CACHE_INVALIDATION = "cache-invalidation";
  /** Option name of the timeout T in whole seconds. */
  public static final String CACHE_INVALIDATION_TIMEOUT = "cache-invalidation-timeout";
  /** Every option the switches understand. */
  public static final Set<String> OPTIONS = Set.of(CACHE_INVALIDATION, CACHE_INVALIDATION_TIMEOUT);
  /** GlusterFS's defaults: on, 60 s. */
  public static final Switches DEFAULTS = new Switches(true, 60);

  public Switches {
    if (timeoutSeconds < 0) {
      throw new IllegalArgumentException(CACHE_INVALIDATION_TIMEOUT + " must be >= 0 seconds, got " + timeoutSeconds);
    }
  }

  /** These switches with {@code option} set from {@code text}; an IllegalArgumentException names the option. */
  public Switches with(String option, String text) {
    switch (option) {
      case CACHE_INVALIDATION:
        return new Switches(parseOnOff(text), timeoutSeconds);
      case CACHE_INVALIDATION_TIMEOUT:
        return new Switches(cacheInvalidation, parseTimeout(text));
      default:
        throw new IllegalArgumentException("unknown option '" + option + "' (known: " + OPTIONS + ")");
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
      default:
        throw new IllegalArgumentException("unknown option '" + option + "' (known: " + OPTIONS + ")");
    }
  }

  /** A GlusterFS boolean: on/off, true/false, yes/no, enable/disable, 1/0 (any case). */
  static boolean parseOnOff(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    switch (value) {
      case "on": case "true": case "yes": case "enable": case "1":
        return true;
      case "off": case "false": case "no": case "disable": case "0":
        return false;
      default:
        throw new IllegalArgumentException(CACHE_INVALIDATION + " must be on or off, got '" + text + "'");
    }
  }

  /** Whole seconds, 0 or more. */
  static int parseTimeout(String text) {
    try {
      int seconds = Integer.parseInt(text == null ? "" : text.trim());
      if (seconds >= 0) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // fall through to the one message
    }
    throw new IllegalArgumentException(
        CACHE_INVALIDATION_TIMEOUT + " must be a whole number of seconds >= 0, got '" + text + "'");
  }
}
