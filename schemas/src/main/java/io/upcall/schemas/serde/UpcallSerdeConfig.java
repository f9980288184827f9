package io.upcall.schemas.serde;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;

/**
 * The configuration that picks the value serde, so a deployment with a schema registry can drop in its serde
 * (Apicurio, Confluent) instead of the built-in single-object Avro encoding.
 */
public final class UpcallSerdeConfig {
  /** Class name (or Class) of the {@link Serde} for every Upcall record value. */
  public static final String VALUE_SERDE_CLASS_CONFIG = "upcall.value.serde";

  public static final String VALUE_SERDE_CLASS_DOC =
      "Serde class for Upcall record values: a public "
          + "org.apache.kafka.common.serialization.Serde with a no-argument constructor, configured with all the "
          + "application's configs (isKey=false). It must produce the generated Avro classes (e.g. a registry serde with "
          + "its specific-reader option on). '"
          + VALUE_SERDE_CLASS_CONFIG
          + ".<role>' overrides it for one role (fops, "
          + "invalidations, xattr-interest, config, inode-events, inode-meta). The default is the built-in Avro "
          + "single-object encoding, which needs no registry.";

  /** The built-in serde: Avro single-object encoding resolving every published schema version. */
  public static final String VALUE_SERDE_CLASS_DEFAULT =
      "io.upcall.schemas.serde.SingleObjectAvroSerde";

  private UpcallSerdeConfig() {}

  /**
   * The value serde for {@code role}: the class named by {@code upcall.value.serde.<role>}, else by
   * {@code upcall.value.serde}, else {@code builtIn}; configured with {@code configs}.
   *
   * @param role what the serde is for, e.g. "fops" or "invalidations" (see {@link #VALUE_SERDE_CLASS_DOC})
   * @param builtIn the serde to use when none is configured, e.g. {@link UpcallSerdes#fopsTopic()}
   * @throws ConfigException naming the key when the class cannot be loaded or is not a Serde
   */
  public static <T> Serde<T> valueSerde(Map<String, ?> configs, String role, Serde<T> builtIn) {
    String key = VALUE_SERDE_CLASS_CONFIG + "." + role;
    Object configured = configs.get(key);
    if (isUnset(configured)) {
      key = VALUE_SERDE_CLASS_CONFIG;
      configured = configs.get(key);
    }
    Serde<T> serde =
        isUnset(configured) || isBuiltIn(configured) ? builtIn : instantiate(key, configured);
    serde.configure(configs, false);
    return serde;
  }

  private static boolean isUnset(Object value) {
    return value == null || (value instanceof String text && text.isBlank());
  }

  private static boolean isBuiltIn(Object value) {
    String name = value instanceof Class<?> type ? type.getName() : value.toString().trim();
    return name.equals(VALUE_SERDE_CLASS_DEFAULT);
  }

  @SuppressWarnings(
      "unchecked") // the configured serde is trusted to produce the record type of its role
  private static <T> Serde<T> instantiate(String key, Object configured) {
    Class<?> type;
    if (configured instanceof Class<?> given) {
      type = given;
    } else {
      String name = configured.toString().trim();
      try {
        type = Class.forName(name, true, classLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new ConfigException(key, name, "class not found: " + e.getMessage());
      }
    }
    if (!Serde.class.isAssignableFrom(type)) {
      throw new ConfigException(
          key, type.getName(), "not an org.apache.kafka.common.serialization.Serde");
    }
    try {
      return (Serde<T>) type.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new ConfigException(key, type.getName(), "no public no-argument constructor");
    } catch (InvocationTargetException e) {
      throw new ConfigException(key, type.getName(), "constructor failed: " + e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new ConfigException(key, type.getName(), "cannot instantiate: " + e);
    }
  }

  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : UpcallSerdeConfig.class.getClassLoader();
  }
}
