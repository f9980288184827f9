package io.upcall.cli;

import io.upcall.producers.BrickPublisher;
import io.upcall.producers.load.LoadRunner;
import io.upcall.producers.load.LoadSpec;
import io.upcall.producers.load.LoadSummary;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.GfidAliases;
import io.upcall.schemas.trace.TraceWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code upcall load}: simulates a volume in use and publishes its fops, at a rate or as fast as possible. */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate a volume in use and publish its fops as its bricks would: B bricks, C clients, a tree of "
          + "D directories and N files, a read/write/metadata/entry mix, Zipf-skewed file popularity.",
      "Progress goes to stderr every second; a summary (fops by type, achieved rate, send latency) at the end.",
      "With --dump FILE and no --bootstrap-server it only writes the trace, with synthetic event times, "
          + "so the same --seed gives the same file byte for byte."
    })
public final class LoadCommand implements Callable<Integer> {

  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Mixin ProducingOptions producing;

  @Option(
      names = "--volume",
      paramLabel = "NAME",
      defaultValue = "vol0",
      description = "Volume name carried by every record. Default: ${DEFAULT-VALUE}.")
  String volume;

  @Option(
      names = "--bricks",
      paramLabel = "B",
      defaultValue = "3",
      description = "Bricks publishing fops; a multiple of --replicas. Default: ${DEFAULT-VALUE}.")
  int bricks;

  @Option(
      names = "--replicas",
      paramLabel = "R",
      defaultValue = "1",
      description =
          "Replication factor: each modifying fop is published by R bricks with one txId. "
              + "Default: ${DEFAULT-VALUE}.")
  int replicas;

  @Option(
      names = "--clients",
      paramLabel = "C",
      defaultValue = "100",
      description =
          "Client connections issuing fops (GlusterFS-style uids). Default: ${DEFAULT-VALUE}.")
  int clients;

  @Option(
      names = "--dirs",
      paramLabel = "D",
      defaultValue = "100",
      description = "Directories in the tree, root included. Default: ${DEFAULT-VALUE}.")
  int dirs;

  @Option(
      names = "--files",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Files in the tree (kept near this size). Default: ${DEFAULT-VALUE}.")
  int files;

  @Option(
      names = "--read-ratio",
      paramLabel = "F",
      defaultValue = "0.8",
      description =
          "Fraction of fops that only read (LOOKUP, STAT, READ, READDIRP...). Default: ${DEFAULT-VALUE}.")
  double readRatio;

  @Option(
      names = "--write-weight",
      paramLabel = "W",
      defaultValue = "10",
      description =
          "Weight of data writes (WRITE, TRUNCATE...) among the other fops. Default: ${DEFAULT-VALUE}.")
  double writeWeight;

  @Option(
      names = "--metadata-weight",
      paramLabel = "W",
      defaultValue = "6",
      description =
          "Weight of SETATTR/SETXATTR/REMOVEXATTR among the other fops. Default: ${DEFAULT-VALUE}.")
  double metadataWeight;

  @Option(
      names = "--entry-weight",
      paramLabel = "W",
      defaultValue = "4",
      description =
          "Weight of CREATE/UNLINK/RENAME/LINK/MKDIR/RMDIR... among the other fops. "
              + "Default: ${DEFAULT-VALUE}.")
  double entryWeight;

  @Option(
      names = "--zipf",
      paramLabel = "S",
      defaultValue = "1.0",
      description = "Zipf exponent of file popularity; 0 is uniform. Default: ${DEFAULT-VALUE}.")
  double zipf;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "Target rate in records per second. Default: 1000 (unless --max-rate).")
  Double rate;

  @Option(
      names = "--max-rate",
      description = "Publish as fast as the producers accept, instead of --rate.")
  boolean maxRate;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationParser.Converter.class,
      description = "How long to run, e.g. 30 (seconds), 30s or 5m. Default: 30s (unless --count).")
  Duration duration;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "Stop after N records instead of after a duration.")
  Long count;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description =
          "Seed of every random choice: the same seed gives the same fops. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--populate",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Start empty and first emit the MKDIR/CREATE fops that build the tree. Default: on; "
              + "--no-populate starts with the tree already there.")
  boolean populate;

  @Option(
      names = "--dump",
      paramLabel = "FILE",
      description = "Also write every generated record to FILE as a trace (- for stdout).")
  String dump;

  @Option(
      names = "--start-time",
      paramLabel = "INSTANT",
      defaultValue = "2026-01-01T00:00:00Z",
      description =
          "First event time of a dump-only run (ISO-8601 or epoch ms). Default: ${DEFAULT-VALUE}.")
  String startTime;

  private final CountDownLatch finished = new CountDownLatch(1);

  @Override
  public Integer call() throws IOException {
    LoadSpec load = loadSpec();
    // A dump without a cluster named is a dry run; otherwise the cluster is the default one, as
    // everywhere.
    boolean dryRun = dump != null && !kafka.bootstrapGiven();
    PrintWriter err = spec.commandLine().getErr();
    boolean dumpToStdout = "-".equals(dump);
    PrintWriter summaryOut = dumpToStdout ? err : spec.commandLine().getOut();

    LoadRunner.Builder runner =
        LoadRunner.builder()
            .spec(load)
            .recordsPerSecond(maxRate ? 0 : rate == null ? 1000 : rate)
            .progress(line -> PublishCommand.println(err, line));
    if (count != null) {
      runner.maxRecords(count);
    } else {
      runner.duration(duration == null ? Duration.ofSeconds(30) : duration);
    }
    if (dryRun) {
      runner.virtualTime(startMillis());
    } else {
      UpcallTopics topics = kafka.topics(spec);
      Map<String, Object> properties = kafka.clientProperties(spec);
      Duration maxBlock = producing.maxBlock(spec);
      kafka.reach(spec);
      producing.ensureTopics(topics, properties, kafka.timeout(), err);
      runner.publishers(
          () ->
              BrickPublisher.builder()
                  .bootstrapServers(kafka.bootstrapServers())
                  .topics(topics)
                  .properties(properties)
                  .maxBlock(maxBlock));
    }

    TraceWriter trace = dump == null ? null : new TraceWriter(open(dump), new GfidAliases());
    if (trace != null) {
      runner.dump(trace::write);
    }
    LoadRunner running = runner.build();
    Thread onCtrlC = new Thread(() -> stopFromShutdownHook(running), "upcall-load-shutdown");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try {
      LoadSummary summary;
      try {
        summary = running.run();
      } finally {
        if (trace != null) {
          trace.close();
        }
      }
      summary.print(summaryOut);
      summaryOut.flush();
      return summary.failed() > 0 ? UpcallCli.EXIT_FAILURE : 0;
    } finally {
      finished.countDown(); // after the summary: a Ctrl-C waits for it before the JVM exits
      removeHook(onCtrlC);
    }
  }

  private LoadSpec loadSpec() {
    atLeast("--bricks", bricks, 1);
    atLeast("--replicas", replicas, 1);
    if (bricks % replicas != 0) {
      throw usage("--bricks (" + bricks + ") must be a multiple of --replicas (" + replicas + ")");
    }
    atLeast("--clients", clients, 1);
    atLeast("--dirs", dirs, 1);
    atLeast("--files", files, 1);
    if (!(readRatio >= 0 && readRatio <= 1)) {
      throw usage("--read-ratio must be between 0 and 1, was " + readRatio);
    }
    nonNegative("--write-weight", writeWeight);
    nonNegative("--metadata-weight", metadataWeight);
    nonNegative("--entry-weight", entryWeight);
    if (readRatio < 1 && writeWeight + metadataWeight + entryWeight == 0) {
      throw usage(
          "--write-weight, --metadata-weight and --entry-weight are all 0 but --read-ratio is below 1");
    }
    nonNegative("--zipf", zipf);
    if (volume.isBlank()) {
      throw usage("--volume must not be empty");
    }
    if (rate != null && maxRate) {
      throw usage("--rate and --max-rate exclude each other");
    }
    if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
      throw usage("--rate must be a positive number of records per second, was " + rate);
    }
    if (duration != null && count != null) {
      throw usage("--duration and --count exclude each other");
    }
    if (duration != null && (duration.isZero() || duration.isNegative())) {
      throw usage("--duration must be positive, was " + DurationParser.format(duration));
    }
    if (count != null && count < 1) {
      throw usage("--count must be at least 1, was " + count);
    }
    return LoadSpec.builder()
        .volume(volume)
        .bricks(bricks)
        .replicas(replicas)
        .clients(clients)
        .directories(dirs)
        .files(files)
        .readRatio(readRatio)
        .writeWeight(writeWeight)
        .metadataWeight(metadataWeight)
        .entryWeight(entryWeight)
        .zipfExponent(zipf)
        .seed(seed)
        .populate(populate)
        .build();
  }

  private long startMillis() {
    try {
      return startTime.chars().allMatch(Character::isDigit)
          ? Long.parseLong(startTime)
          : Instant.parse(startTime).toEpochMilli();
    } catch (NumberFormatException | DateTimeParseException e) {
      throw usage("--start-time must be an ISO-8601 instant or epoch ms, was '" + startTime + "'");
    }
  }

  private Writer open(String path) throws IOException {
    if (path.equals("-")) {
      return new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    }
    try {
      return Files.newBufferedWriter(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      throw usage("--dump: cannot write " + path + ": " + e.getMessage());
    }
  }

  private void stopFromShutdownHook(LoadRunner running) {
    running.stop();
    try {
      finished.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down (Ctrl-C): the hook is running
    }
  }

  private void atLeast(String option, long value, long min) {
    if (value < min) {
      throw usage(option + " must be at least " + min + ", was " + value);
    }
  }

  private void nonNegative(String option, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw usage(option + " must be a finite number >= 0, was " + value);
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
