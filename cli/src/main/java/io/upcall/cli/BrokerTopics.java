package io.upcall.cli;

import io.upcall.schemas.topics.TopicAction;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaBroker;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;

/** Creates the standard Upcall topics on the command's broker and says what it did. */
final class BrokerTopics {

  private BrokerTopics() {}

  /** Ensures the topics; returns one line per action, e.g. {@code created upcall.fops: 4 partitions, …}. */
  static List<String> ensure(EmbeddedKafkaBroker broker, int partitions) {
    try (Admin admin = Admin.create(broker.adminProperties())) {
      UpcallTopics topics = UpcallTopics.defaults();
      List<TopicAction> actions =
          TopicEnsurer.ensure(admin, topics, TopicSettings.defaults().withPartitions(partitions));
      broker.awaitTopics(topics.all());
      return actions.stream().map(TopicAction::toString).collect(Collectors.toList());
    }
  }
}
