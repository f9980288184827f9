package io.upcall.client;

import io.upcall.avro.ProgressMark;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The progress marks one invalidation partition carried, per streams task, and the watermark they prove
 * together: every fop up to the minimum of the tasks' watermarks is processed and its invalidations committed
 * ahead of the marks. Until marks from {@code taskCount} distinct tasks arrived, nothing is proven.
 */
final class TaskMarks {
  private record Latest(long watermarkMs, long arrival) {}

  private final Map<String, Latest> byTask = new HashMap<>();
  private int taskCount = -1;
  private long arrivals;

  /** Takes in one mark; returns the watermark now proven, empty while the task set is incomplete. */
  OptionalLong observe(ProgressMark mark) {
    if (mark.getTaskCount() <= 0) {
      return provenWatermark();
    }
    if (mark.getTaskCount() != taskCount) {
      // The topology changed shape: marks of the old task set prove nothing about the new one.
      byTask.clear();
      taskCount = mark.getTaskCount();
    }
    // "Every fop up to W is processed" stays true once said, so a task's proof only grows.
    byTask.merge(
        mark.getTask(),
        new Latest(mark.getWatermarkMs(), ++arrivals),
        (old, now) -> new Latest(Math.max(old.watermarkMs(), now.watermarkMs()), now.arrival()));
    if (byTask.size() > taskCount) {
      // Task ids were renamed under the same count (e.g. a new topology): the ones heard from
      // longest ago are gone.
      byTask.entrySet().stream()
          .sorted(Comparator.comparingLong(e -> e.getValue().arrival()))
          .limit(byTask.size() - taskCount)
          .map(Map.Entry::getKey)
          .toList()
          .forEach(byTask::remove);
    }
    return provenWatermark();
  }

  void clear() {
    byTask.clear();
    taskCount = -1;
  }

  int tasksHeardFrom() {
    return byTask.size();
  }

  private OptionalLong provenWatermark() {
    if (taskCount <= 0 || byTask.size() < taskCount) {
      return OptionalLong.empty();
    }
    return byTask.values().stream().mapToLong(Latest::watermarkMs).min();
  }
}
