package io.upcall.streams.ops;

import java.util.List;

/**
 * The answer of {@code GET /instances}: every instance of the application, as the asked one knows them from the
 * group's assignment, with the partitions whose inode state each holds.
 *
 * @param self the instance that answered
 */
public record Instances(String self, List<Member> instances) {
  /** One instance, by its advertised application.server. */
  public record Member(
      String instance, List<Integer> activePartitions, List<Integer> standbyPartitions) {}
}
