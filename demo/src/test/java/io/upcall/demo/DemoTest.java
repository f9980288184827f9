package io.upcall.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The demo on its embedded broker: traffic flows, caches apply invalidations, and nothing stale is served. */
@Tag("slow")
class DemoTest {

  @Test
  void tenSecondsOfTheWholePipelineServeNoStaleRead() throws Exception {
    StringWriter output = new StringWriter();
    Demo demo =
        new Demo(
            DemoSettings.builder().duration(Duration.ofSeconds(10)).build(),
            new PrintWriter(output, true),
            false);

    DemoSummary summary = demo.run();

    StringWriter printed = new StringWriter();
    summary.print(new PrintWriter(printed, true));
    String report = output + printed.toString();
    assertThat(summary.demoFops()).as(report).isPositive();
    assertThat(summary.loadFops()).as(report).isPositive();
    assertThat(summary.invalidationsApplied()).as(report).isPositive();
    assertThat(summary.latencyCount()).as(report).isPositive();
    assertThat(summary.hits()).as(report).isPositive();
    assertThat(summary.staleReads()).as(report).isZero();
    assertThat(summary.publishFailures()).as(report).isZero();
    assertThat(summary.ok()).as(report).isTrue();
    assertThat(summary.exitCode()).isZero();
    // One status line per second when the output is not a terminal (a starved box may skip one).
    assertThat(output.toString().lines().filter(line -> line.startsWith("[")).count())
        .as(report)
        .isBetween(5L, 11L);
    assertThat(demo.stateDir())
        .as("the streams app's state directory is removed")
        .satisfies(dir -> assertThat(Files.exists(dir)).isFalse());
    assertThat(demoThreads()).as("threads left behind").isEmpty();
  }

  @Test
  void aClientThatKeepsWhatItChangedItselfIsCaughtServingStaleReads() throws Exception {
    // GlusterFS never tells the originator of a change; a mount that forgets to drop its own cached
    // stat keeps serving the old one. The check must catch that bug, or its zero above proves
    // nothing.
    StringWriter output = new StringWriter();
    Demo demo =
        new Demo(
            DemoSettings.builder().duration(Duration.ofSeconds(8)).loadFopsPerSecond(0).build(),
            new PrintWriter(output, true),
            false,
            false);

    DemoSummary summary = demo.run();

    StringWriter printed = new StringWriter();
    summary.print(new PrintWriter(printed, true));
    assertThat(summary.staleReads()).as(printed.toString()).isPositive();
    assertThat(summary.staleSamples())
        .as(printed.toString())
        .anySatisfy(sample -> assertThat(sample).contains("before it was served"));
    assertThat(summary.exitCode()).isEqualTo(1);
    assertThat(printed.toString())
        .contains("FAILED: caches served answers older than the staleness bound");
  }

  private static List<String> demoThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            name ->
                name.startsWith("upcall-demo")
                    || name.startsWith("upcall-client")
                    || name.startsWith("upcall-heartbeat")
                    || name.contains("StreamThread")
                    || name.startsWith("kafka-producer-network-thread"))
        .toList();
  }
}
