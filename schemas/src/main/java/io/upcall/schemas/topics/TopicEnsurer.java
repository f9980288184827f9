package io.upcall.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent "ensure topics" step: creates the Upcall topics that are missing, with their settings; safe to run
 * concurrently from several processes. {@link #ensure} leaves existing topics as they are (an operator may have
 * changed their retention on purpose); only {@link #align} also sets the configs that differ.
 */
public final class TopicEnsurer {
  private static final Logger LOG = LoggerFactory.getLogger(TopicEnsurer.class);

  /**
   * How long ensure waits for the cluster to catch up with a change: another process may have just created a topic,
   * and brokers learn of new topics, leaders and configs a moment after the controller accepted them.
   */
  static final Duration CATCH_UP = Duration.ofSeconds(30);

  private static final long MAX_BACKOFF_MS = 100;

  /** From this many brokers on, one replica is a choice to lose data with a broker, not a necessity. */
  static final int BROKERS_FOR_REPLICATION = 3;

  private TopicEnsurer() {}

  /**
   * Creates the missing topics with the settings and says what it found, one action per topic in the order of
   * {@link UpcallTopics#all()}: {@link TopicAction.Kind#CREATED}, {@link TopicAction.Kind#UP_TO_DATE}, or
   * {@link TopicAction.Kind#CONFIGS_DIFFER} for an existing topic whose configs differ (never changed here), plus a
   * {@link TopicAction.Kind#PARTITIONS_DIFFER} warning after a topic whose partition count differs.
   *
   * @throws KafkaException naming the topic when the cluster refuses (e.g. a replication factor above the number
   *     of brokers, or a missing ACL)
   */
  public static List<TopicAction> ensure(Admin admin, UpcallTopics topics, TopicSettings settings) {
    return ensure(admin, topics, settings, false);
  }

  /**
   * Like {@link #ensure}, and also sets the configs of existing topics that differ from the settings
   * ({@link TopicAction.Kind#CONFIGS_UPDATED}): what an operator asks for with {@code upcall topics --ensure}.
   * Partition counts are never changed.
   *
   * @throws KafkaException naming the topic when the cluster refuses
   */
  public static List<TopicAction> align(Admin admin, UpcallTopics topics, TopicSettings settings) {
    return ensure(admin, topics, settings, true);
  }

  private static List<TopicAction> ensure(
      Admin admin, UpcallTopics topics, TopicSettings settings, boolean align) {
    List<TopicSpec> specs = settings.specs(topics);
    Set<String> present = await("listing topics", admin.listTopics().names());
    Map<String, TopicAction> created = create(admin, specs, present);
    if (!created.isEmpty()) {
      awaitLeaders(admin, List.copyOf(created.keySet()));
      describeReplication(admin, specs, created);
    }

    List<TopicSpec> existing =
        specs.stream().filter(spec -> !created.containsKey(spec.name())).toList();
    Map<String, List<TopicAction>> updated =
        existing.isEmpty() ? Map.of() : update(admin, existing, align);

    List<TopicAction> actions = new ArrayList<>();
    for (TopicSpec spec : specs) {
      TopicAction action = created.get(spec.name());
      if (action != null) {
        actions.add(action);
      } else {
        actions.addAll(updated.get(spec.name()));
      }
    }
    actions.forEach(action -> LOG.info("{}", action));
    return actions;
  }

  /**
   * Whether creating topics with {@code replicationFactor} replicas on a cluster of {@code brokers} brokers throws
   * data away needlessly: one replica where there are enough brokers for three.
   */
  public static boolean singleReplicaOnAReplicatedCluster(int replicationFactor, int brokers) {
    return replicationFactor == 1 && brokers >= BROKERS_FOR_REPLICATION;
  }

  /** The created topics' details name the replication factor the cluster's default turned out to be. */
  private static void describeReplication(
      Admin admin, List<TopicSpec> specs, Map<String, TopicAction> created) {
    List<TopicSpec> byDefault =
        specs.stream()
            .filter(
                spec ->
                    created.containsKey(spec.name())
                        && spec.replicationFactor() == TopicSettings.CLUSTER_DEFAULT_REPLICATION)
            .toList();
    if (byDefault.isEmpty()) {
      return;
    }
    Map<String, TopicDescription> described =
        describe(admin, byDefault.stream().map(TopicSpec::name).toList());
    for (TopicSpec spec : byDefault) {
      TopicDescription topic = described.get(spec.name());
      if (topic != null && !topic.partitions().isEmpty()) {
        int replicas = topic.partitions().get(0).replicas().size();
        created.put(
            spec.name(),
            new TopicAction(
                spec.name(),
                TopicAction.Kind.CREATED,
                spec.describe(replicas + " (the cluster's default)")));
      }
    }
  }

  private static Map<String, TopicAction> create(
      Admin admin, List<TopicSpec> specs, Set<String> present) {
    List<NewTopic> missing =
        specs.stream()
            .filter(spec -> !present.contains(spec.name()))
            .map(TopicSpec::newTopic)
            .toList();
    Map<String, TopicAction> created = new LinkedHashMap<>();
    if (missing.isEmpty()) {
      return created;
    }
    warnOfSingleReplicas(admin, specs, present);
    Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
    for (TopicSpec spec : specs) {
      KafkaFuture<Void> result = results.get(spec.name());
      if (result == null) {
        continue;
      }
      // When someone else created it between our listing and our request, it is treated as an
      // existing topic.
      if (createdHere(spec, result)) {
        created.put(
            spec.name(), new TopicAction(spec.name(), TopicAction.Kind.CREATED, spec.describe()));
      }
    }
    return created;
  }

  /** Creating with one replica where the cluster has three brokers is allowed (it was asked for), but said. */
  private static void warnOfSingleReplicas(
      Admin admin, List<TopicSpec> specs, Set<String> present) {
    if (specs.stream()
        .noneMatch(spec -> !present.contains(spec.name()) && spec.replicationFactor() == 1)) {
      return;
    }
    int brokers = await("describing the cluster", admin.describeCluster().nodes()).size();
    if (singleReplicaOnAReplicatedCluster(1, brokers)) {
      LOG.warn(
          "creating topics with replication factor 1 on a cluster of {} brokers: losing one broker loses their "
              + "data (leave "
              + TopicSettings.REPLICATION_FACTOR_CONFIG
              + " unset for the cluster's default)",
          brokers);
    }
  }

  private static Map<String, List<TopicAction>> update(
      Admin admin, List<TopicSpec> existing, boolean align) {
    List<String> names = existing.stream().map(TopicSpec::name).toList();
    Map<String, TopicDescription> descriptions = describe(admin, names);
    Map<ConfigResource, Config> configs =
        await(
            "describing the configs of " + names,
            admin.describeConfigs(names.stream().map(TopicEnsurer::resource).toList()).all());

    Map<String, List<TopicAction>> actions = new LinkedHashMap<>();
    Map<ConfigResource, Collection<AlterConfigOp>> alterations = new LinkedHashMap<>();
    for (TopicSpec spec : existing) {
      Config current = configs.get(resource(spec.name()));
      Map<String, String> changes = new TreeMap<>();
      List<AlterConfigOp> ops = new ArrayList<>();
      spec.configs()
          .forEach(
              (key, wanted) -> {
                ConfigEntry entry = current == null ? null : current.get(key);
                String was = entry == null ? null : entry.value();
                if (!wanted.equals(was)) {
                  changes.put(key, was + " -> " + wanted);
                  ops.add(
                      new AlterConfigOp(new ConfigEntry(key, wanted), AlterConfigOp.OpType.SET));
                }
              });
      List<TopicAction> topicActions = new ArrayList<>();
      if (ops.isEmpty()) {
        topicActions.add(
            new TopicAction(spec.name(), TopicAction.Kind.UP_TO_DATE, spec.describe()));
      } else if (!align) {
        topicActions.add(
            new TopicAction(
                spec.name(),
                TopicAction.Kind.CONFIGS_DIFFER,
                changes + " not applied (upcall topics --ensure applies them)"));
      } else {
        alterations.put(resource(spec.name()), ops);
        topicActions.add(
            new TopicAction(spec.name(), TopicAction.Kind.CONFIGS_UPDATED, changes.toString()));
      }
      int partitions = descriptions.get(spec.name()).partitions().size();
      if (partitions != spec.partitions()) {
        topicActions.add(
            new TopicAction(
                spec.name(),
                TopicAction.Kind.PARTITIONS_DIFFER,
                "has "
                    + partitions
                    + " partitions, the settings ask for "
                    + spec.partitions()
                    + "; left alone, since changing the count "
                    + "moves keys to other partitions (recreate the topic to change it)"));
      }
      actions.put(spec.name(), topicActions);
    }
    if (!alterations.isEmpty()) {
      await(
          "setting configs " + alterations.keySet(),
          admin.incrementalAlterConfigs(alterations).all());
      awaitVisible(admin, alterations);
    }
    return actions;
  }

  /**
   * Brokers apply a config change a moment after the controller accepted it; waiting for it to show keeps the
   * promise that a topic has its configs once ensure returns (and makes an immediate re-run report UP_TO_DATE).
   */
  private static void awaitVisible(
      Admin admin, Map<ConfigResource, Collection<AlterConfigOp>> alterations) {
    boolean visible =
        poll(
            Deadline.after(CATCH_UP),
            () -> {
              Map<ConfigResource, Config> configs =
                  await(
                      "describing configs " + alterations.keySet(),
                      admin.describeConfigs(alterations.keySet()).all());
              return alterations.entrySet().stream()
                  .allMatch(
                      alteration ->
                          alteration.getValue().stream()
                              .allMatch(
                                  op -> {
                                    ConfigEntry entry =
                                        configs
                                            .get(alteration.getKey())
                                            .get(op.configEntry().name());
                                    return entry != null
                                        && op.configEntry().value().equals(entry.value());
                                  }));
            });
    if (!visible) {
      LOG.warn(
          "configs set on {} are not visible yet after {} s",
          alterations.keySet(),
          CATCH_UP.toSeconds());
    }
  }

  /**
   * Waits until every partition of the topics just created has a leader that serves it. A broker lists a new
   * leader a moment before its replica manager takes over, and a produce in between is refused as "not leader"
   * (an idempotent producer's refused first batch may then wait out its whole delivery timeout). ListOffsets is
   * served under the same leadership check as a produce, and the admin client retries it until it is.
   */
  private static void awaitLeaders(Admin admin, List<String> names) {
    Deadline deadline = Deadline.after(CATCH_UP);
    Map<TopicPartition, OffsetSpec> partitions = new LinkedHashMap<>();
    boolean led =
        poll(
            deadline,
            () -> {
              partitions.clear();
              for (TopicDescription topic : describe(admin, names, deadline).values()) {
                for (TopicPartitionInfo partition : topic.partitions()) {
                  if (partition.leader() == null || partition.leader().isEmpty()) {
                    return false;
                  }
                  partitions.put(
                      new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
                }
              }
              return true;
            });
    boolean serving =
        led
            && poll(
                deadline,
                () -> {
                  await(
                      "asking the leaders of " + names,
                      admin.listOffsets(partitions).all(),
                      deadline);
                  return true;
                });
    if (!serving) {
      // Not fatal: producers retry "not leader" by themselves; this wait only spares them that.
      LOG.warn(
          "topics {} created, but not every partition has a serving leader after {} s",
          names,
          CATCH_UP.toSeconds());
    }
  }

  private static Map<String, TopicDescription> describe(Admin admin, List<String> names) {
    return describe(admin, names, Deadline.after(CATCH_UP));
  }

  /** Describes the topics, asking again while the broker does not know one of them yet (until the deadline). */
  private static Map<String, TopicDescription> describe(
      Admin admin, List<String> names, Deadline deadline) {
    while (true) {
      try {
        return await("describing " + names, admin.describeTopics(names).allTopicNames(), deadline);
      } catch (KafkaException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || deadline.passed()) {
          throw e;
        }
      }
      deadline.backOff();
    }
  }

  /**
   * Asks {@code check} until it holds or the deadline passes, backing off a little more each time (never past the
   * deadline); a request that fails with a retriable error counts as "not yet".
   *
   * @return whether it held in time
   */
  private static boolean poll(Deadline deadline, Supplier<Boolean> check) {
    while (true) {
      try {
        if (check.get()) {
          return true;
        }
      } catch (KafkaException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw e;
        }
      }
      if (deadline.passed()) {
        return false;
      }
      deadline.backOff();
    }
  }

  /** A point in time to give up at, and the growing pause between two questions to the cluster. */
  private static final class Deadline {
    private final long nanos;
    private long backoffMs = 5;

    private Deadline(long nanos) {
      this.nanos = nanos;
    }

    static Deadline after(Duration budget) {
      return new Deadline(System.nanoTime() + budget.toNanos());
    }

    boolean passed() {
      return System.nanoTime() - nanos >= 0;
    }

    long remainingMs() {
      return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime()));
    }

    /** Waits a little (5 ms, doubling up to 100 ms), never past the deadline. */
    void backOff() {
      try {
        TimeUnit.MILLISECONDS.sleep(Math.min(backoffMs, remainingMs()));
      } catch (InterruptedException e) {
        throw new InterruptException(e);
      }
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }
  }

  private static ConfigResource resource(String topic) {
    return new ConfigResource(ConfigResource.Type.TOPIC, topic);
  }

  private static <T> T await(String what, KafkaFuture<T> future) {
    return await(what, future, Deadline.after(CATCH_UP.multipliedBy(2)));
  }

  /** The future's value; a KafkaException naming {@code what} when it fails or is not done by the deadline. */
  private static <T> T await(String what, KafkaFuture<T> future, Deadline deadline) {
    try {
      return future.get(deadline.remainingMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      throw new KafkaException(what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new KafkaException(
          what + ": no answer within " + CATCH_UP.multipliedBy(2).toSeconds() + " s",
          new TimeoutException("no answer from the cluster", e));
    }
  }

  private static boolean createdHere(TopicSpec spec, KafkaFuture<Void> result) {
    try {
      await("creating " + spec.name() + " (" + spec.describe() + ")", result);
      return true;
    } catch (KafkaException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw e;
    }
  }
}
