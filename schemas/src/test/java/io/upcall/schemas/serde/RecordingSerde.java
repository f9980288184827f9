package io.upcall.schemas.serde;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** A stand-in for a registry serde: remembers how it was configured. */
public class RecordingSerde extends Serdes.WrapperSerde<String> {
  Map<String, ?> configs;
  Boolean isKey;

  public RecordingSerde() {
    super(Serdes.String().serializer(), Serdes.String().deserializer());
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.configs = configs;
    this.isKey = isKey;
  }

  /** Another one, to tell a per-role override from the global setting. */
  public static class Other extends RecordingSerde {}

  static Serde<String> builtIn() {
    return new RecordingSerde();
  }
}
