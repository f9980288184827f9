package io.upcall.cli;

import io.upcall.schemas.topics.TopicAction;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** How the commands that publish fops ({@code publish}, {@code load}) produce, and whether they create topics. */
final class ProducingOptions {

  @Option(
      names = "--max-block",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationParser.Converter.class,
      description =
          "How long a publish may block on a slow or absent broker before it fails (e.g. 500ms, 5s, "
              + "1m). Default: ${DEFAULT-VALUE}.")
  Duration maxBlock;

  @Option(
      names = "--create-topics",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Create the missing Upcall topics first, with "
              + TopicSettings.PARTITIONS_DEFAULT
              + " partitions and the cluster's default replication factor (needs the right to create topics); "
              + "existing topics are left as they are. Default: on; --no-create-topics skips it.")
  boolean createTopics;

  /** --max-block, checked. */
  Duration maxBlock(CommandSpec spec) {
    if (maxBlock.isZero() || maxBlock.isNegative()) {
      throw new ParameterException(
          spec.commandLine(),
          "--max-block must be positive, was " + DurationParser.format(maxBlock));
    }
    return maxBlock;
  }

  /**
   * Creates the missing topics when asked, never changing existing ones (an operator's retention is not ours to
   * undo); a cluster that refuses (no ACL) gets a warning, not a failure.
   */
  void ensureTopics(
      UpcallTopics topics,
      Map<String, Object> clientProperties,
      Duration timeout,
      PrintWriter err) {
    if (!createTopics) {
      return;
    }
    Map<String, Object> admin = ReachableCluster.adminProperties(clientProperties);
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1_000, timeout.toMillis()));
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    try (Admin client = Admin.create(admin)) {
      for (TopicAction action : TopicEnsurer.ensure(client, topics, TopicSettings.defaults())) {
        if (action.kind() == TopicAction.Kind.CREATED
            || action.kind() == TopicAction.Kind.PARTITIONS_DIFFER) {
          PublishCommand.println(err, action.toString());
        }
      }
    } catch (KafkaException e) {
      PublishCommand.println(
          err,
          "upcall: could not create the topics ("
              + e.getMessage()
              + "); going on with what exists (--no-create-topics skips this step)");
    }
  }
}
