package io.upcall.schemas.serde;

import static io.upcall.schemas.serde.UpcallSerdeConfig.VALUE_SERDE_CLASS_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.internal.InodeEvent;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class UpcallSerdeConfigTest {

  @Test
  void withoutConfigurationTheBuiltInSerdeIsUsed() {
    Serde<SpecificRecord> builtIn = UpcallSerdes.fopsTopic();

    assertThat(UpcallSerdeConfig.valueSerde(Map.of(), "fops", builtIn)).isSameAs(builtIn);
    assertThat(UpcallSerdeConfig.valueSerde(Map.of(VALUE_SERDE_CLASS_CONFIG, " "), "fops", builtIn))
        .isSameAs(builtIn);
  }

  @Test
  void theDefaultClassNameMeansTheBuiltInSerde() {
    Serde<SpecificRecord> builtIn = UpcallSerdes.fopsTopic();
    Map<String, Object> configs =
        Map.of(VALUE_SERDE_CLASS_CONFIG, UpcallSerdeConfig.VALUE_SERDE_CLASS_DEFAULT);

    assertThat(UpcallSerdeConfig.valueSerde(configs, "fops", builtIn)).isSameAs(builtIn);
    assertThat(UpcallSerdeConfig.VALUE_SERDE_CLASS_DEFAULT)
        .isEqualTo(SingleObjectAvroSerde.class.getName());
  }

  @Test
  void aConfiguredSerdeClassIsInstantiatedAndConfiguredAsAValueSerde() {
    Map<String, Object> configs =
        Map.of(VALUE_SERDE_CLASS_CONFIG, RecordingSerde.class.getName(), "registry.url", "x");

    Serde<String> serde = UpcallSerdeConfig.valueSerde(configs, "fops", RecordingSerde.builtIn());

    assertThat(serde).isExactlyInstanceOf(RecordingSerde.class);
    assertThat(((RecordingSerde) serde).configs).isEqualTo(configs);
    assertThat(((RecordingSerde) serde).isKey).isFalse();
  }

  @Test
  void aRoleSpecificClassOverridesTheGlobalOneForThatRoleOnly() {
    Map<String, Object> configs =
        Map.of(
            VALUE_SERDE_CLASS_CONFIG,
            RecordingSerde.class,
            VALUE_SERDE_CLASS_CONFIG + ".inode-events",
            RecordingSerde.Other.class.getName());

    assertThat(UpcallSerdeConfig.valueSerde(configs, "inode-events", RecordingSerde.builtIn()))
        .isExactlyInstanceOf(RecordingSerde.Other.class);
    assertThat(UpcallSerdeConfig.valueSerde(configs, "fops", RecordingSerde.builtIn()))
        .isExactlyInstanceOf(RecordingSerde.class);
  }

  @Test
  void aRoleCanKeepTheBuiltInSerdeWhileOthersUseARegistry() {
    Serde<InodeEvent> builtIn = UpcallSerdes.inodeEvent();
    Map<String, Object> configs =
        Map.of(
            VALUE_SERDE_CLASS_CONFIG,
            RecordingSerde.class.getName(),
            VALUE_SERDE_CLASS_CONFIG + ".inode-events",
            UpcallSerdeConfig.VALUE_SERDE_CLASS_DEFAULT);

    assertThat(UpcallSerdeConfig.valueSerde(configs, "inode-events", builtIn)).isSameAs(builtIn);
  }

  @Test
  void anUnknownClassIsAConfigErrorNamingTheKey() {
    Map<String, Object> configs =
        Map.of(VALUE_SERDE_CLASS_CONFIG + ".fops", "com.example.NoSuchSerde");

    assertThatThrownBy(
            () -> UpcallSerdeConfig.valueSerde(configs, "fops", UpcallSerdes.fopsTopic()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("upcall.value.serde.fops")
        .hasMessageContaining("com.example.NoSuchSerde")
        .hasMessageContaining("class not found");
  }

  @Test
  void aClassThatIsNotASerdeIsAConfigErrorNamingTheKey() {
    Map<String, Object> configs = Map.of(VALUE_SERDE_CLASS_CONFIG, "java.lang.String");

    assertThatThrownBy(
            () -> UpcallSerdeConfig.valueSerde(configs, "fops", UpcallSerdes.fopsTopic()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("upcall.value.serde")
        .hasMessageContaining("not an org.apache.kafka.common.serialization.Serde");
  }
}
