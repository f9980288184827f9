package io.upcall.streams.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** {@code GET /switches}: every instance's {@code /config}, asked in parallel, for the console's switch table. */
final class SwitchboardCollector {
  private final Cluster cluster;
  private final Peers peers;
  private final Supplier<AppliedConfig> here;
  private final ConfigWriter writer;

  SwitchboardCollector(
      Cluster cluster, Peers peers, Supplier<AppliedConfig> here, ConfigWriter writer) {
    this.cluster = cluster;
    this.peers = peers;
    this.here = here;
    this.writer = writer;
  }

  Reply get() {
    List<CompletableFuture<Object>> parts = new ArrayList<>();
    for (Cluster.Member member : cluster.members()) {
      if (!member.host().equals(cluster.selfHost())) {
        parts.add(
            peers
                .getAsync(member.host(), "/config")
                .thenApply(answer -> parse(member.name(), answer))
                .exceptionally(e -> member.name() + ": " + Peers.describe(e)));
      }
    }
    List<AppliedConfig> instances = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try {
      instances.add(here.get());
    } catch (HttpProblem problem) {
      errors.add(Peers.name(cluster.selfHost()) + ": " + problem.getMessage());
    }
    for (CompletableFuture<Object> part : parts) {
      Object answer = part.join();
      if (answer instanceof AppliedConfig config) {
        instances.add(config);
      } else {
        errors.add(answer.toString());
      }
    }
    instances.sort(Comparator.comparing(AppliedConfig::instance));
    return Reply.ok(new Switchboard(instances, errors, writer.allowed(), writer.topic()));
  }

  /** The instance's applied config, or why it has none. */
  private static Object parse(String instance, Peers.Answer answer) {
    if (answer.status() != 200) {
      return instance + ": " + Peers.reason(answer);
    }
    try {
      return Reply.MAPPER.readValue(answer.body(), AppliedConfig.class);
    } catch (IOException e) {
      return instance + ": answered something unreadable: " + e.getMessage();
    }
  }
}
