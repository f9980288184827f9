package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.streams.ops.HttpSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpcallStreamsConfigTest {

  @Test
  void atLeastOnceCommitsEverySecondUnlessTold() {
    assertThat(
            new UpcallStreamsConfig(
                    Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE))
                .streamsProperties())
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000L);
    assertThat(
            new UpcallStreamsConfig(
                    Map.of(
                        StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                        StreamsConfig.AT_LEAST_ONCE,
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                        "100"))
                .streamsProperties())
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    UpcallStreamsConfig config = new UpcallStreamsConfig(Map.of());
    Properties streams = config.streamsProperties();
    assertThat(streams)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "upcall-streams")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092")
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L)
        .containsEntry("producer.linger.ms", 5)
        .containsEntry("producer.max.in.flight.requests.per.connection", 1)
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, 5L)
        .containsEntry(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 128L * 1024 * 1024);
    assertThat(config.switches()).isEqualTo(Switches.DEFAULTS);
    assertThat(config.expiryInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.topics().fops()).isEqualTo("upcall.fops");
  }

  @Test
  void aTaskProcessesWhatItHasRatherThanIdlingForItsOtherInputUnlessToldTo() {
    assertThat(new UpcallStreamsConfig(Map.of()).streamsProperties())
        .containsEntry(
            StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    assertThat(
            new UpcallStreamsConfig(Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "50"))
                .streamsProperties())
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "50");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "processing.guarantee, exactly_once",
    "cache-invalidation, maybe",
    "cache-invalidation-timeout, -1",
    "cache-invalidation-timeout, soon",
    "num.stream.threads, 0",
    "commit.interval.ms, 0",
    "upcall.expiry.interval.ms, 10",
    "producer.linger.ms, -5",
    "producer.max.in.flight.requests.per.connection, 6",
    "poll.ms, 0",
    "statestore.cache.max.bytes, -1",
    "replication.factor, 0",
    "upcall.topics.prefix, bad/prefix",
    "upcall.topics.partitions, 0",
    "application.id, ''",
  })
  void aBadValueStopsStartWithAMessageNamingTheOption(String option, String value) {
    assertThatThrownBy(() -> new UpcallStreamsConfig(Map.of(option, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(option);
  }

  @Test
  void fileThenEnvironmentThenOverridesAndEverythingElsePassesThrough(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("upcall.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "bootstrap.servers=file:9092",
            "cache-invalidation-timeout=30",
            "application.id=from-file",
            "consumer.max.poll.records=123"));
    Map<String, String> env =
        Map.of(
            "UPCALL_CACHE_INVALIDATION_TIMEOUT", "45",
            "UPCALL_TOPICS_PREFIX", "vol1.",
            "UPCALL_PRODUCER_COMPRESSION_TYPE", "lz4",
            "PATH", "/usr/bin");
    UpcallStreamsConfig config =
        UpcallStreamsConfig.load(file, env, Map.of("bootstrap.servers", "flag:9092"));

    assertThat(config.switches().timeoutSeconds()).isEqualTo(45);
    assertThat(config.topics().fops()).isEqualTo("vol1.upcall.fops");
    Properties streams = config.streamsProperties();
    assertThat(streams)
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "flag:9092")
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "from-file")
        .containsEntry("consumer.max.poll.records", "123")
        .containsEntry("producer.compression.type", "lz4")
        .doesNotContainKeys("cache-invalidation-timeout", "upcall.topics.prefix", "path");
  }

  @Test
  void aMissingFileIsAConfigErrorNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> UpcallStreamsConfig.load(missing, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void everyOptionHasADocAndADefault() {
    UpcallStreamsConfig.configDef()
        .configKeys()
        .values()
        .forEach(
            key -> {
              assertThat(key.documentation).as(key.name).isNotBlank();
              assertThat(key.hasDefault()).as(key.name).isTrue();
            });
  }

  @Test
  void theConsoleOnlyReadsUnlessChangesAreAllowed() {
    assertThat(HttpSettings.from(new UpcallStreamsConfig(Map.of())).allowConfigChanges()).isFalse();
    assertThat(
            HttpSettings.from(
                    new UpcallStreamsConfig(
                        Map.of(HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG, "true")))
                .allowConfigChanges())
        .isTrue();
    assertThatThrownBy(
            () ->
                new UpcallStreamsConfig(Map.of(HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG, "maybe")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG);
    assertThat(
            new UpcallStreamsConfig(Map.of(HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG, "true"))
                .streamsProperties())
        .doesNotContainKey(HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG);
  }
}
