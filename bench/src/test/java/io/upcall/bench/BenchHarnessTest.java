package io.upcall.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness in a tiny configuration on an in-process broker: every section runs and every field is written. */
@Tag("slow")
class BenchHarnessTest {

  @Test
  void aTinyRunWritesEveryFieldTheIssueNamesAndLeavesNoTopicBehind(@TempDir Path dir)
      throws Exception {
    try (BenchCluster cluster = BenchCluster.inProcess()) {
      BenchResults results = Bench.run(BenchSettings.tiny(), cluster, line -> {});
      Path file = dir.resolve("out.json");
      results.write(file);

      JsonNode json = new ObjectMapper().readTree(file.toFile());
      for (String field : Bench.ISSUE_FIELDS) {
        assertThat(at(json, field).isNumber()).as("%s is a number in %s", field, json).isTrue();
      }
      for (String tag : new String[] {"alo", "eos"}) {
        for (int rate : BenchSettings.LATENCY_RATES) {
          assertThat(at(json, "latency." + tag + ".r" + rate + ".samples").asLong())
              .as("%s samples at %d", tag, rate)
              .isPositive();
        }
        assertThat(at(json, "fanout." + tag + ".invalidations").asLong())
            .isEqualTo(at(json, "fanout.clients").asLong());
        String pipeline = "pipeline." + tag + ".";
        double written = at(json, pipeline + "records_written_per_fop").asDouble();
        double parts = 0;
        for (String kind :
            new String[] {
              "invalidation",
              "changelog",
              "repartition",
              "progress_mark",
              "upcall_event",
              "dead_letter"
            }) {
          assertThat(at(json, pipeline + kind + "_records_per_fop").isNumber())
              .as("%s %s", tag, kind)
              .isTrue();
          parts += at(json, pipeline + kind + "_records_per_fop").asDouble();
        }
        assertThat(written)
            .as("%s records written per fop", tag)
            .isPositive()
            .isCloseTo(parts, offset(0.01));
        assertThat(at(json, pipeline + "changelog_records_per_fop").asDouble()).isPositive();
        assertThat(at(json, pipeline + "repartition_records_per_fop").asDouble()).isPositive();
        assertThat(at(json, pipeline + "fop_caused_records_per_fop").asDouble())
            .isPositive()
            .isLessThanOrEqualTo(written);
        assertThat(at(json, pipeline + "bytes_written_per_fop").asDouble()).isGreaterThan(written);
        assertThat(at(json, pipeline + "count.fops").asLong()).isPositive();
        assertThat(at(json, "ratio." + tag + "_capacity_to_streams_baseline_rounds").size())
            .isEqualTo(BenchSettings.tiny().rounds());
      }
      assertThat(at(json, "streams_baseline.windows").asInt())
          .isEqualTo(BenchSettings.tiny().rounds());
      assertThat(
              at(json, "ratio.invalidations_per_invalidation_record").isNumber()
                  || at(json, "pipeline.alo.invalidation_records_per_fop").asDouble() == 0)
          .isTrue();
      assertThat(at(json, "state.restored_pairs").asLong())
          .isEqualTo(at(json, "state.pairs").asLong())
          .isEqualTo(BenchSettings.tiny().statePairs());
      assertThat(BenchReport.table(results))
          .contains(
              "raw produce → consume", "fan-out to 200 clients, EOS", "latency EOS @ 5,000 fops/s");
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
        assertThat(admin.listTopics().names().get()).noneMatch(topic -> topic.startsWith("bench-"));
      }
    }
  }

  private static JsonNode at(JsonNode json, String path) throws IOException {
    JsonNode node = json;
    for (String name : path.split("\\.")) {
      node = node.path(name);
    }
    return node;
  }
}
