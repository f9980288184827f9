package io.upcall.producers.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.producers.BrickPublisher;
import io.upcall.producers.FopsTopic;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.GfidAliases;
import io.upcall.schemas.trace.TraceEvent;
import io.upcall.schemas.trace.TraceReader;
import io.upcall.schemas.trace.TraceWriter;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoadRunnerTest {
  private static final long START_MS = 1_767_225_600_000L;

  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  @Test
  void everyGeneratedRecordIsPublishedAndEachModifyingFopComesFromEveryReplica() {
    // configure
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    LoadSpec spec =
        LoadSpec.builder().bricks(3).replicas(3).files(300).directories(12).seed(4).build();
    LoadRunner runner =
        LoadRunner.builder()
            .spec(spec)
            .maxRecords(6_000)
            .publishers(
                () ->
                    BrickPublisher.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topics(topics))
            .build();

    // produce
    LoadSummary summary = runner.run();

    // verify
    assertThat(summary.failed()).isZero();
    assertThat(summary.records()).isBetween(6_000L, 6_002L);
    assertThat(summary.acknowledged()).isEqualTo(summary.records());
    assertThat(summary.fopsByType().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(summary.fops());
    assertThat(summary.sendLatencyP99())
        .isGreaterThanOrEqualTo(summary.sendLatencyP50())
        .isPositive();
    Map<String, List<FopRecord>> byTxId = new HashMap<>();
    long fops = 0;
    for (ConsumerRecord<String, SpecificRecord> record :
        FopsTopic.readAll(kafka.bootstrapServers(), topics.fops())) {
      if (record.value() instanceof FopRecord fop) {
        fops++;
        if (fop.getTxId() != null) {
          byTxId.computeIfAbsent(fop.getTxId(), tx -> new ArrayList<>()).add(fop);
        }
      }
    }
    assertThat(fops).isEqualTo(summary.records());
    assertThat(byTxId).isNotEmpty();
    byTxId.forEach(
        (txId, replicas) -> {
          Set<String> bricks = new HashSet<>();
          replicas.forEach(r -> bricks.add(r.getBrick()));
          assertThat(bricks).as(txId).hasSize(3);
        });
  }

  @Test
  void sameSeedGivesByteIdenticalDumpAndAnotherSeedDoesNot() throws IOException {
    LoadSpec spec =
        LoadSpec.builder().files(500).directories(20).replicas(3).bricks(6).seed(77).build();
    String first = dump(spec);
    String second = dump(spec);
    String other = dump(spec.toBuilder().seed(78).build());

    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    List<TraceEvent> events = new ArrayList<>();
    try (TraceReader reader = new TraceReader(new StringReader(first))) {
      reader.events().forEach(events::add);
    }
    assertThat(events.size()).isBetween(20_000, 20_002);
    assertThat(events.get(0).eventTimeMs()).isEqualTo(START_MS);
    assertThat(events)
        .extracting(e -> ((TraceEvent.FopEvent) e).record().getFop())
        .contains(Fop.MKDIR, Fop.CREATE, Fop.RENAME, Fop.READDIRP, Fop.SETXATTR);
  }

  @Test
  void targetRateIsNeverExceededAndTheDurationIsServed() {
    // Bounds a loaded box cannot break: the runner may fall behind the rate (bench measures what it
    // reaches), but it never runs ahead of it by more than one fop's replicas, and it stops only
    // once the duration has passed.
    LoadSpec spec = LoadSpec.defaults();
    LoadSummary summary =
        LoadRunner.builder()
            .spec(spec)
            .recordsPerSecond(4_000)
            .duration(Duration.ofMillis(500))
            .build()
            .run();
    assertThat(summary.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(summary.records())
        .isPositive()
        .isLessThanOrEqualTo((long) (4_000 * summary.elapsed().toNanos() / 1e9) + spec.replicas());
  }

  @Test
  void runStopsAtTheFirstFailedRecordAndSaysWhy() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    String nowhere = "127.0.0.1:" + port;
    LoadSummary summary =
        LoadRunner.builder()
            .spec(LoadSpec.builder().bricks(1).build())
            .maxRecords(1_000_000)
            .publishers(
                () ->
                    BrickPublisher.builder()
                        .bootstrapServers(nowhere)
                        .maxBlock(Duration.ofMillis(500)))
            .build()
            .run();
    assertThat(summary.failed()).isPositive();
    assertThat(summary.acknowledged()).isZero();
    assertThat(summary.records()).isLessThan(100);
    assertThat(summary.firstFailure())
        .startsWith("broker unreachable for 500 ms (metadata unavailable");
  }

  private static String dump(LoadSpec spec) throws IOException {
    StringWriter out = new StringWriter();
    try (TraceWriter trace = new TraceWriter(out, new GfidAliases())) {
      LoadRunner.builder()
          .spec(spec)
          .virtualTime(START_MS)
          .maxRecords(20_000)
          .dump(trace::write)
          .build()
          .run();
    }
    return out.toString();
  }
}
