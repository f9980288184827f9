package io.upcall.reliability;

import io.upcall.testkit.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a streams application has processed and committed everything written to its input topics so far: its
 * group's committed offsets reach the end of every partition it reads. A partition written by transactions ends
 * with a commit marker the group may not have committed past (nothing after it to process), so there one offset
 * short counts as the end.
 */
final class Drained {
  private Drained() {}

  /** Waits until the group of {@code applicationId} has committed up to the end of the fop topic and its own topics. */
  static Duration await(
      Map<String, Object> adminProperties, String applicationId, String fopsTopic, Duration timeout)
      throws Exception {
    long start = System.nanoTime();
    try (Admin admin = Admin.create(adminProperties)) {
      Eventually.within(
          timeout,
          applicationId + " drained " + fopsTopic,
          () -> lag(admin, applicationId, fopsTopic) == 0);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static long lag(Admin admin, String applicationId, String fopsTopic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(applicationId)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      long fopsPartitions =
          admin
              .describeTopics(List.of(fopsTopic))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(fopsTopic)
              .partitions()
              .size();
      if (committed.keySet().stream().filter(p -> p.topic().equals(fopsTopic)).count()
          < fopsPartitions) {
        return Long.MAX_VALUE; // a partition with nothing committed yet
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin
              .listOffsets(
                  committed.keySet().stream()
                      .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest())))
              .all()
              .get(30, TimeUnit.SECONDS);
      long lag = 0;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
        long behind = ends.get(entry.getKey()).offset() - entry.getValue().offset();
        boolean transactional = !entry.getKey().topic().equals(fopsTopic);
        lag += transactional ? Math.max(0, behind - 1) : behind;
      }
      return lag;
    } catch (Exception e) {
      return Long.MAX_VALUE;
    }
  }
}
