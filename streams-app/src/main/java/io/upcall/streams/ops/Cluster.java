package io.upcall.streams.ops;

import io.upcall.streams.UpcallTopology;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/** The instances of the application as this one knows them from the group's assignment. */
final class Cluster {
  /** The source of the inode state's tasks: its partitions are the partitions the state is split into. */
  static final String STATE_TOPIC_SUFFIX = "-" + UpcallTopology.INODE_EVENTS + "-repartition";

  /** One instance and the partitions of inode state it holds. */
  record Member(HostInfo host, List<Integer> active, List<Integer> standby) {
    String name() {
      return Peers.name(host);
    }

    Instances.Member view() {
      return new Instances.Member(name(), active, standby);
    }
  }

  private final KafkaStreams streams;
  private final HostInfo self;

  Cluster(KafkaStreams streams, HostInfo self) {
    this.streams = streams;
    this.self = self;
  }

  HostInfo selfHost() {
    return self;
  }

  /** Every instance, this one included (with no partitions before it has an assignment), by name. */
  List<Member> members() {
    List<Member> members = new ArrayList<>();
    if (OpsServer.queryable(streams.state())) {
      for (StreamsMetadata metadata : streams.metadataForAllStreamsClients()) {
        members.add(
            new Member(
                metadata.hostInfo(),
                stateParts(metadata.topicPartitions()),
                stateParts(metadata.standbyTopicPartitions())));
      }
    }
    if (members.stream().noneMatch(member -> member.host().equals(self))) {
      members.add(new Member(self, List.of(), List.of()));
    }
    members.sort(Comparator.comparing(Member::name));
    return members;
  }

  Member self() {
    return members().stream()
        .filter(member -> member.host().equals(self))
        .findFirst()
        .orElseThrow();
  }

  private static List<Integer> stateParts(Collection<TopicPartition> partitions) {
    return partitions.stream()
        .filter(partition -> partition.topic().endsWith(STATE_TOPIC_SUFFIX))
        .map(TopicPartition::partition)
        .sorted()
        .toList();
  }
}
