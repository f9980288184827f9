package io.upcall.schemas.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent "ensure topics" step: creates the Upcall topics that are missing, with their settings, and sets
 * the configs of existing ones that differ; safe to run concurrently from several processes.
 */
public final class TopicEnsurer {
  private static final Logger LOG = LoggerFactory.getLogger(TopicEnsurer.class);
  // Another process may have just created a topic, and brokers learn of new topics a moment after the controller.
  private static final int DESCRIBE_ATTEMPTS = 50;
  private static final int VISIBILITY_ATTEMPTS = 50;
  private static final long BACKOFF_MS = 100;

  private TopicEnsurer() {}

  /**
   * Brings the topics in line with the settings and says what it did, one action per topic in the order of
   * {@link UpcallTopics#all()}, plus a {@link TopicAction.Kind#PARTITIONS_DIFFER} warning after a topic whose
   * partition count differs (never changed here).
   *
   * @throws KafkaException naming the topic when the cluster refuses (e.g. a replication factor above the number
   *     of brokers, or a missing ACL)
   */
  public static List<TopicAction> ensure(Admin admin, UpcallTopics topics, TopicSettings settings) {
    List<TopicSpec> specs = settings.specs(topics);
    Set<String> present = await("listing topics", admin.listTopics().names());
    Map<String, TopicAction> created = create(admin, specs, present);

    List<TopicSpec> existing = specs.stream().filter(spec -> !created.containsKey(spec.name())).toList();
    Map<String, List<TopicAction>> updated = existing.isEmpty() ? Map.of() : update(admin, existing);

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

  private static Map<String, TopicAction> create(Admin admin, List<TopicSpec> specs, Set<String> present) {
    List<NewTopic> missing = specs.stream()
        .filter(spec -> !present.contains(spec.name()))
        .map(spec -> new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor()).configs(spec.configs()))
        .toList();
    Map<String, TopicAction> created = new LinkedHashMap<>();
    if (missing.isEmpty()) {
      return created;
    }
    Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
    for (TopicSpec spec : specs) {
      KafkaFuture<Void> result = results.get(spec.name());
      if (result == null) {
        continue;
      }
      // When someone else created it between our listing and our request, it is treated as an existing topic.
      if (createdHere(spec, result)) {
        created.put(spec.name(), new TopicAction(spec.name(), TopicAction.Kind.CREATED, spec.describe()));
      }
    }
    return created;
  }

  private static Map<String, List<TopicAction>> update(Admin admin, List<TopicSpec> existing) {
    List<String> names = existing.stream().map(TopicSpec::name).toList();
    Map<String, TopicDescription> descriptions = describe(admin, names);
    Map<ConfigResource, Config> configs = await("describing the configs of " + names,
        admin.describeConfigs(names.stream().map(TopicEnsurer::resource).toList()).all());

    Map<String, List<TopicAction>> actions = new LinkedHashMap<>();
    Map<ConfigResource, Collection<AlterConfigOp>> alterations = new LinkedHashMap<>();
    for (TopicSpec spec : existing) {
      Config current = configs.get(resource(spec.name()));
      Map<String, String> changes = new TreeMap<>();
      List<AlterConfigOp> ops = new ArrayList<>();
      spec.configs().forEach((key, wanted) -> {
        ConfigEntry entry = current == null ? null : current.get(key);
        String was = entry == null ? null : entry.value();
        if (!wanted.equals(was)) {
          changes.put(key, was + " -> " + wanted);
          ops.add(new AlterConfigOp(new ConfigEntry(key, wanted), AlterConfigOp.OpType.SET));
        }
      });
      List<TopicAction> topicActions = new ArrayList<>();
      if (ops.isEmpty()) {
        topicActions.add(new TopicAction(spec.name(), TopicAction.Kind.UP_TO_DATE, spec.describe()));
      } else {
        alterations.put(resource(spec.name()), ops);
        topicActions.add(new TopicAction(spec.name(), TopicAction.Kind.CONFIGS_UPDATED, changes.toString()));
      }
      int partitions = descriptions.get(spec.name()).partitions().size();
      if (partitions != spec.partitions()) {
        topicActions.add(new TopicAction(spec.name(), TopicAction.Kind.PARTITIONS_DIFFER, "has " + partitions
            + " partitions, the settings ask for " + spec.partitions() + "; left alone, since changing the count "
            + "moves keys to other partitions (recreate the topic to change it)"));
      }
      actions.put(spec.name(), topicActions);
    }
    if (!alterations.isEmpty()) {
      await("setting configs " + alterations.keySet(), admin.incrementalAlterConfigs(alterations).all());
      awaitVisible(admin, alterations);
    }
    return actions;
  }

  /**
   * Brokers apply a config change a moment after the controller accepted it; waiting for it to show keeps the
   * promise that a topic has its configs once ensure returns (and makes an immediate re-run report UP_TO_DATE).
   */
  private static void awaitVisible(Admin admin, Map<ConfigResource, Collection<AlterConfigOp>> alterations) {
    for (int attempt = 1; attempt <= VISIBILITY_ATTEMPTS; attempt++) {
      Map<ConfigResource, Config> configs =
          await("describing configs " + alterations.keySet(), admin.describeConfigs(alterations.keySet()).all());
      boolean visible = alterations.entrySet().stream().allMatch(alteration -> alteration.getValue().stream()
          .allMatch(op -> {
            ConfigEntry entry = configs.get(alteration.getKey()).get(op.configEntry().name());
            return entry != null && op.configEntry().value().equals(entry.value());
          }));
      if (visible) {
        return;
      }
      pause();
    }
    LOG.warn("configs set on {} are not visible yet after {} ms", alterations.keySet(),
        VISIBILITY_ATTEMPTS * BACKOFF_MS);
  }

  private static Map<String, TopicDescription> describe(Admin admin, List<String> names) {
    for (int attempt = 1; ; attempt++) {
      try {
        return await("describing " + names, admin.describeTopics(names).allTopicNames());
      } catch (KafkaException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == DESCRIBE_ATTEMPTS) {
          throw e;
        }
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(BACKOFF_MS);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }

  private static ConfigResource resource(String topic) {
    return new ConfigResource(ConfigResource.Type.TOPIC, topic);
  }

  private static <T> T await(String what, KafkaFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      throw new KafkaException(what + ": " + e.getCause().getMessage(), e.getCause());
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
