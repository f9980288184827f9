package io.upcall.streams.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code GET /rates}: each instance's sampled rates and input lag (asked in parallel), for the console's charts. */
final class RatesCollector {
  private final Cluster cluster;
  private final Peers peers;
  private final RateSampler sampler;
  private final String stateTopicSuffix;

  RatesCollector(Cluster cluster, Peers peers, RateSampler sampler, String stateTopicSuffix) {
    this.cluster = cluster;
    this.peers = peers;
    this.sampler = sampler;
    this.stateTopicSuffix = stateTopicSuffix;
  }

  Reply get(Query query) {
    if (query.get(InodeLookup.LOCAL_PARAM) != null) {
      return Reply.ok(here());
    }
    Map<String, CompletableFuture<InstanceRates>> parts = new LinkedHashMap<>();
    for (Cluster.Member member : cluster.members()) {
      if (!member.host().equals(cluster.selfHost())) {
        parts.put(
            member.name(),
            peers
                .getAsync(member.host(), "/rates?" + InodeLookup.LOCAL_PARAM + "=true")
                .thenApply(answer -> parse(member.name(), answer))
                .exceptionally(e -> failed(member.name(), Peers.describe(e))));
      }
    }
    List<InstanceRates> instances = new ArrayList<>();
    instances.add(here());
    parts.values().forEach(part -> instances.add(part.join()));
    instances.sort(Comparator.comparing(InstanceRates::instance));
    return Reply.ok(
        new RatesReport(instances, instances.stream().allMatch(rates -> rates.error() == null)));
  }

  InstanceRates here() {
    return new InstanceRates(
        Peers.name(cluster.selfHost()),
        sampler.intervalSeconds(),
        sampler.points(),
        sampler.lag(stateTopicSuffix),
        null);
  }

  private InstanceRates parse(String instance, Peers.Answer answer) {
    if (answer.status() != 200) {
      return failed(instance, Peers.reason(answer));
    }
    try {
      return Reply.MAPPER.readValue(answer.body(), InstanceRates.class);
    } catch (IOException e) {
      return failed(instance, "answered something unreadable: " + e.getMessage());
    }
  }

  private InstanceRates failed(String instance, String error) {
    return new InstanceRates(instance, sampler.intervalSeconds(), List.of(), List.of(), error);
  }
}
