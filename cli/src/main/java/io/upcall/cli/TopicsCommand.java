package io.upcall.cli;

import io.upcall.schemas.topics.TopicAction;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code upcall topics}: the Upcall topics with partitions, end offsets and the streams app's lag; or ensures them. */
@Command(
    name = "topics",
    description = {
      "List the Upcall topics with their offsets and the streams app's lag, or create them.",
      "Each Upcall topic (and the streams app's internal repartition and changelog topics) with its "
          + "partitions, end offsets (summed over partitions), the offsets the streams app's consumer group "
          + "committed, and its lag. With --ensure, create the missing topics and set the configs of existing "
          + "ones to Upcall's instead (idempotent); no other command changes an existing topic."
    })
public final class TopicsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      defaultValue = UpcallStreamsConfig.APPLICATION_ID_DEFAULT,
      description =
          "The streams app's application id: its consumer group and the prefix of its internal "
              + "topics. Default: ${DEFAULT-VALUE}.")
  String applicationId;

  @Option(
      names = "--ensure",
      description =
          "Create the missing Upcall topics and set the configs that differ from "
              + "Upcall's (retention, cleanup policy); prints what it did. Partition counts of existing topics are never "
              + "changed.")
  boolean ensure;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description =
          "With --ensure: partitions of the fop and invalidation topics it creates. Default: "
              + TopicSettings.PARTITIONS_DEFAULT
              + ", as every command that creates topics.")
  Integer partitions;

  @Option(
      names = "--replication-factor",
      paramLabel = "R",
      description =
          "With --ensure: replicas of every topic it creates. Default: the cluster's "
              + "default.replication.factor. On a cluster of 3 or more brokers, 1 needs --allow-single-replica.")
  Integer replicationFactor;

  @Option(
      names = "--allow-single-replica",
      description =
          "Create topics with --replication-factor 1 even on a cluster of 3 or more brokers, where "
              + "losing one broker loses their data.")
  boolean allowSingleReplica;

  @Override
  public Integer call() throws Exception {
    validate();
    UpcallTopics topics = kafka.topics(spec);
    ReachableCluster cluster = kafka.reach(spec);
    Map<String, Object> properties = ReachableCluster.adminProperties(kafka.clientProperties(spec));
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, kafka.timeoutMs());
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, kafka.timeoutMs());
    try (Admin admin = Admin.create(properties)) {
      if (ensure) {
        return ensure(admin, topics, cluster);
      }
      list(admin, topics);
    }
    return 0;
  }

  private void validate() {
    if (!ensure && (partitions != null || replicationFactor != null || allowSingleReplica)) {
      throw new ParameterException(
          spec.commandLine(),
          (partitions != null
                  ? "--partitions"
                  : replicationFactor != null ? "--replication-factor" : "--allow-single-replica")
              + " applies only with --ensure");
    }
    if (partitions != null && partitions < 1) {
      throw new ParameterException(
          spec.commandLine(), "--partitions must be at least 1, was " + partitions);
    }
    if (replicationFactor != null
        && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
      throw new ParameterException(
          spec.commandLine(), "--replication-factor must be at least 1, was " + replicationFactor);
    }
    if (applicationId.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--application-id must not be empty");
    }
  }

  private int ensure(Admin admin, UpcallTopics topics, ReachableCluster cluster) {
    TopicSettings settings = TopicSettings.defaults();
    if (partitions != null) {
      settings = settings.withPartitions(partitions);
    }
    if (replicationFactor != null) {
      settings = settings.withReplicationFactor(replicationFactor);
      if (TopicEnsurer.singleReplicaOnAReplicatedCluster(replicationFactor, cluster.brokers())) {
        String risk =
            "--replication-factor 1 on a cluster of "
                + cluster.brokers()
                + " brokers: losing one "
                + "broker loses the data of the topics it creates";
        if (!allowSingleReplica) {
          throw new ParameterException(
              spec.commandLine(),
              risk
                  + "; add --allow-single-replica if that is "
                  + "meant, or leave --replication-factor out for the cluster's default");
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("upcall: warning: " + risk);
        err.flush();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    for (TopicAction action : TopicEnsurer.align(admin, topics, settings)) {
      out.println(action);
    }
    out.flush();
    return 0;
  }

  private void list(Admin admin, UpcallTopics topics) throws Exception {
    List<String> names = new ArrayList<>(topics.all());
    for (String name :
        await(admin.listTopics(new ListTopicsOptions().listInternal(false)).names())) {
      if (name.startsWith(applicationId + "-")
          && (name.endsWith("-repartition") || name.endsWith("-changelog"))) {
        names.add(name);
      }
    }
    Map<String, KafkaFuture<TopicDescription>> described =
        admin.describeTopics(names).topicNameValues();
    Map<String, TopicDescription> existing = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      try {
        existing.put(name, await(described.get(name)));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        missing.add(name);
      }
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    existing
        .values()
        .forEach(
            topic ->
                topic
                    .partitions()
                    .forEach(
                        partition ->
                            latest.put(
                                new TopicPartition(topic.name(), partition.partition()),
                                OffsetSpec.latest())));
    Map<TopicPartition, Long> ends = new HashMap<>();
    await(admin.listOffsets(latest).all())
        .forEach((partition, info) -> ends.put(partition, info.offset()));
    Map<TopicPartition, OffsetAndMetadata> committed = committed(admin);

    TextTable table = new TextTable("TOPIC", "PARTITIONS", "END OFFSETS", "COMMITTED", "LAG");
    for (String name : names) {
      TopicDescription topic = existing.get(name);
      if (topic == null) {
        table.row(name, "missing", "-", "-", "-");
        continue;
      }
      long end = 0;
      long done = 0;
      boolean read = false;
      for (var partition : topic.partitions()) {
        TopicPartition tp = new TopicPartition(name, partition.partition());
        long partitionEnd = ends.getOrDefault(tp, 0L);
        end += partitionEnd;
        OffsetAndMetadata offset = committed.get(tp);
        if (offset != null) {
          read = true;
          done += offset.offset();
        }
      }
      table.row(
          name,
          topic.partitions().size(),
          end,
          read ? done : null,
          read ? Math.max(0, end - done) : null);
    }
    PrintWriter out = spec.commandLine().getOut();
    table.print(out);
    out.println();
    out.println(groupLine(admin, committed));
    if (!missing.isEmpty()) {
      out.println(
          "missing: " + String.join(", ", missing) + " (create them with upcall topics --ensure)");
    }
    out.flush();
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(Admin admin) throws Exception {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          await(admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata());
      Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
      offsets.forEach(
          (partition, offset) -> {
            if (offset != null) {
              present.put(partition, offset);
            }
          });
      return present;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw e;
    }
  }

  private String groupLine(Admin admin, Map<TopicPartition, OffsetAndMetadata> committed) {
    String prefix = "consumer group " + applicationId + ": ";
    try {
      ConsumerGroupDescription group =
          await(
              admin
                  .describeConsumerGroups(List.of(applicationId))
                  .describedGroups()
                  .get(applicationId));
      TreeSet<String> reads = new TreeSet<>();
      committed.keySet().forEach(partition -> reads.add(partition.topic()));
      return prefix
          + group.groupState()
          + ", "
          + group.members().size()
          + " member"
          + (group.members().size() == 1 ? "" : "s")
          + (reads.isEmpty()
              ? ", nothing committed yet"
              : ", committed on " + String.join(", ", reads));
    } catch (ExecutionException e) {
      return prefix
          + (e.getCause() instanceof GroupIdNotFoundException
              ? "none (the streams app has not " + "joined with this --application-id)"
              : "cannot describe it: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return prefix + "interrupted";
    } catch (TimeoutException e) {
      return prefix + "no answer within " + DurationParser.format(kafka.timeout());
    }
  }

  private <T> T await(KafkaFuture<T> future)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return future.get(kafka.timeoutMs() + 1_000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new CommandFailure(
            "Kafka at "
                + kafka.bootstrapServers()
                + " did not answer within "
                + DurationParser.format(kafka.timeout())
                + " (see --timeout)",
            e.getCause());
      }
      throw e;
    } catch (TimeoutException e) {
      throw new CommandFailure(
          "Kafka at "
              + kafka.bootstrapServers()
              + " did not answer within "
              + DurationParser.format(kafka.timeout())
              + " (see --timeout)",
          e);
    }
  }
}
