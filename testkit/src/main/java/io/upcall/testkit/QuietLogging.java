package io.upcall.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Map;
import java.util.Properties;

/** Keeps an embedded broker's logs at WARN unless the application configured those loggers itself. */
final class QuietLogging {

  static final String LOG4J2_CONFIG = "log4j2-upcall-broker.xml";

  private static final String SIMPLE_LOGGER_PREFIX = "org.slf4j.simpleLogger.log.";
  // The broker logs through SLF4J under these names; Kafka clients share "org.apache.kafka" and are
  // noisy at INFO.
  private static final Map<String, String> BROKER_LOGGERS =
      Map.of(
          "kafka", "warn",
          "org.apache.kafka", "warn",
          "state.change.logger", "warn",
          // The controller logs its routine activation at WARN on every start.
          "org.apache.kafka.controller", "error");

  private static boolean installed;

  private QuietLogging() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    // Kafka 4 ships log4j-core for its dynamic log-level controller; without a configuration it may
    // print a status warning, so point it at WARN-only console output unless the application chose
    // a file.
    if (System.getProperty("log4j2.configurationFile") == null
        && System.getProperty("log4j.configurationFile") == null) {
      URL config = QuietLogging.class.getClassLoader().getResource(LOG4J2_CONFIG);
      if (config != null) {
        System.setProperty("log4j2.configurationFile", config.toString());
      }
    }
    // slf4j-simple reads per-logger levels from system properties before its properties file, so
    // only set the names the application's simplelogger.properties leaves open.
    Properties simpleLogger = simpleLoggerProperties();
    BROKER_LOGGERS.forEach(
        (logger, level) -> {
          String key = SIMPLE_LOGGER_PREFIX + logger;
          if (System.getProperty(key) == null && !simpleLogger.containsKey(key)) {
            System.setProperty(key, level);
          }
        });
  }

  private static Properties simpleLoggerProperties() {
    Properties props = new Properties();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = QuietLogging.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException unreadable) {
      // slf4j-simple will not read it either.
    }
    return props;
  }
}
