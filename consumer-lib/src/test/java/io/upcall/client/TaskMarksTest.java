package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.ProgressMark;
import org.junit.jupiter.api.Test;

class TaskMarksTest {
  private final TaskMarks marks = new TaskMarks();

  @Test
  void provesNothingUntilEveryTaskHasBeenHeardFrom() {
    assertThat(marks.observe(mark("0_0", 3, 1_000))).isEmpty();
    assertThat(marks.observe(mark("0_1", 3, 2_000))).isEmpty();

    assertThat(marks.observe(mark("0_2", 3, 3_000))).hasValue(1_000);
  }

  @Test
  void provesTheMinimumOfTheTasksLatestWatermarks() {
    marks.observe(mark("0_0", 2, 1_000));
    marks.observe(mark("0_1", 2, 5_000));

    assertThat(marks.observe(mark("0_0", 2, 7_000))).hasValue(5_000);
  }

  @Test
  void aTasksProofNeverGoesBackwards() {
    marks.observe(mark("0_0", 1, 5_000));

    assertThat(marks.observe(mark("0_0", 1, 4_000))).hasValue(5_000);
  }

  @Test
  void aNewTaskCountStartsOver() {
    marks.observe(mark("0_0", 1, 5_000));

    assertThat(marks.observe(mark("1_0", 2, 6_000))).isEmpty();
    assertThat(marks.observe(mark("1_1", 2, 7_000))).hasValue(6_000);
  }

  @Test
  void renamedTasksReplaceTheLeastRecentlyHeardOnes() {
    marks.observe(mark("0_0", 2, 1_000));
    marks.observe(mark("0_1", 2, 1_000));
    marks.observe(mark("1_0", 2, 8_000));

    assertThat(marks.observe(mark("1_1", 2, 9_000))).hasValue(8_000);
    assertThat(marks.tasksHeardFrom()).isEqualTo(2);
  }

  @Test
  void aDeadTaskHoldsTheProofBack() {
    marks.observe(mark("0_0", 2, 1_000));
    marks.observe(mark("0_1", 2, 1_000));
    for (long w = 2_000; w < 10_000; w += 1_000) {
      marks.observe(mark("0_1", 2, w));
    }

    assertThat(marks.observe(mark("0_1", 2, 10_000))).hasValue(1_000);
  }

  @Test
  void ignoresAMarkWithoutATaskCount() {
    assertThat(marks.observe(mark("0_0", 0, 1_000))).isEmpty();
    assertThat(marks.tasksHeardFrom()).isZero();
  }

  static ProgressMark mark(String task, int taskCount, long watermarkMs) {
    return ProgressMark.newBuilder()
        .setTask(task)
        .setTaskCount(taskCount)
        .setWatermarkMs(watermarkMs)
        .setEmittedAtMs(watermarkMs)
        .build();
  }
}
