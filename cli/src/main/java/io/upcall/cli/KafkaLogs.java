package io.upcall.cli;

import java.util.List;

/**
 * Keeps the Kafka clients' own log lines (connection warnings, retries, rebalances) off the console of a command,
 * which says what went wrong in its own words; {@code --verbose} shows them. Works through slf4j-simple's system
 * properties, so it must run before the first Kafka client is created; a level the user set wins.
 */
final class KafkaLogs {

  private static final List<String> CLIENT_LOGGERS = List.of("org.apache.kafka", "io.micrometer");
  private static final String SIMPLE_LOGGER_PREFIX = "org.slf4j.simpleLogger.log.";

  private KafkaLogs() {}

  /** Raises the Kafka clients' loggers to errors only, unless {@code verbose}. */
  static void quietUnless(boolean verbose) {
    if (!verbose) {
      CLIENT_LOGGERS.forEach(logger -> setLevelUnlessSet(logger, "error"));
    }
  }

  /**
   * Turns {@code loggers} off unless {@code verbose}: e.g. an embedded broker's server-side log, which is not the
   * output of a command that merely uses the broker.
   */
  static void silenceUnless(boolean verbose, List<String> loggers) {
    if (!verbose) {
      loggers.forEach(logger -> setLevelUnlessSet(logger, "off"));
    }
  }

  private static void setLevelUnlessSet(String logger, String level) {
    String key = SIMPLE_LOGGER_PREFIX + logger;
    if (System.getProperty(key) == null) {
      System.setProperty(key, level);
    }
  }
}
