package io.upcall.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The project, Kafka, Avro and Java versions, from a resource filtered at build time and Kafka's own metadata. */
public final class UpcallVersion implements IVersionProvider {

  private static final String RESOURCE = "/io/upcall/cli/version.properties";
  private static final String KAFKA_RESOURCE = "/kafka/kafka-version.properties";

  @Override
  public String[] getVersion() {
    Properties build = load(RESOURCE);
    // kafka-clients' own build info: the Kafka actually on the classpath, whatever the POM asked
    // for.
    Properties kafka = load(KAFKA_RESOURCE);
    return new String[] {
      "upcall " + build.getProperty("upcall.version"),
      "kafka " + kafka.getProperty("version") + " (commit " + kafka.getProperty("commitId") + ")",
      "avro " + build.getProperty("avro.version"),
      "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
    };
  }

  /** The project version this launcher was built as. */
  public static String projectVersion() {
    return load(RESOURCE).getProperty("upcall.version");
  }

  private static Properties load(String resource) {
    Properties props = new Properties();
    try (InputStream in = UpcallVersion.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the launcher's classpath");
      }
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props;
  }
}
