package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.schemas.topics.TopicSettings;
import io.upcall.streams.UpcallStreamsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's table of the streams app's options names every option the app takes. */
class ReadmeOptionsTest {

  @Test
  void everyOptionOfTheStreamsAppIsInTheReadmeTable() throws Exception {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme);
    int start = text.indexOf("### Streams app");
    String table = text.substring(start, text.indexOf("\n\n", text.indexOf("| option |", start)));
    List<String> options = new ArrayList<>(UpcallStreamsConfig.configDef().names());
    options.addAll(
        List.of(
            TopicSettings.PARTITIONS_CONFIG,
            TopicSettings.FOPS_PARTITIONS_CONFIG,
            TopicSettings.INVALIDATIONS_PARTITIONS_CONFIG,
            TopicSettings.REPLICATION_FACTOR_CONFIG,
            TopicSettings.FOPS_RETENTION_MS_CONFIG,
            TopicSettings.DLQ_RETENTION_MS_CONFIG,
            TopicSettings.INVALIDATIONS_RETENTION_MS_CONFIG));

    assertThat(options)
        .allSatisfy(
            option ->
                assertThat(table).as("README row for " + option).contains("`" + option + "`"));
  }
}
