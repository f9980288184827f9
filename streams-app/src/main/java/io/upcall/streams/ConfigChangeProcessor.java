package io.upcall.streams;

import io.upcall.avro.ConfigChange;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the switches store (option name → canonical value) in step with the compacted {@code upcall.config}
 * topic. A change that does not parse or is out of range is logged and ignored, so the previous value stays;
 * a null value (or tombstone) resets the option to the default the application started with. It runs as a
 * global store processor, on every instance, and again over the topic when the store is restored.
 */
final class ConfigChangeProcessor implements Processor<String, ConfigChange, Void, Void> {
  static final String SWITCHES_STORE = "upcall-switches";

  private static final Logger log = LoggerFactory.getLogger(ConfigChangeProcessor.class);

  private KeyValueStore<String, String> switches;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    switches = context.getStateStore(SWITCHES_STORE);
  }

  @Override
  public void process(Record<String, ConfigChange> record) {
    String option = record.key();
    ConfigChange change = record.value();
    if (option == null || !Switches.OPTIONS.contains(option)) {
      log.debug("ignoring config change for option '{}': not a streams switch", option);
      return;
    }
    if (change != null && change.getOption() != null && !option.equals(change.getOption())) {
      log.warn(
          "rejected config change keyed '{}' that names option '{}'; keeping {}={}",
          option,
          change.getOption(),
          option,
          switches.get(option));
      return;
    }
    if (change == null || change.getValue() == null) {
      switches.delete(option);
      log.info("{} reset to its default", option);
      return;
    }
    try {
      String value = Switches.canonical(option, change.getValue());
      switches.put(option, value);
      log.info("{} set to {} by {}", option, value, change.getSetBy());
    } catch (IllegalArgumentException e) {
      String kept = switches.get(option);
      log.warn(
          "rejected config change: {}; keeping {}={}",
          e.getMessage(),
          option,
          kept == null ? "default" : kept);
    }
  }

  /** The switches in force: {@code defaults} overridden by whatever the config topic set. */
  static Switches current(ReadOnlyKeyValueStore<String, String> store, Switches defaults) {
    Switches current = defaults;
    for (String option : Switches.OPTIONS) {
      String value = store.get(option);
      if (value != null) {
        current = current.with(option, value);
      }
    }
    return current;
  }
}
