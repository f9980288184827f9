package io.upcall.cli;

import io.upcall.producers.trace.TracePublisher;
import io.upcall.producers.trace.TracePublisher.OnError;
import io.upcall.producers.trace.TraceSummary;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.TraceFormatException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code upcall publish}: publishes a JSON-lines trace (the spec's format) as fop records. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publish a JSON-lines trace (the spec's format) to upcall.fops, one publisher per brick it names; "
          + "REGISTER_XATTRS lines go to upcall.xattr-interest.",
      "A progress line goes to stderr every second, a summary to stdout at the end."
    })
public final class PublishCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Mixin ProducingOptions producing;

  @Option(
      names = "--on-error",
      paramLabel = "skip|abort",
      defaultValue = "skip",
      converter = OnErrorConverter.class,
      description =
          "A malformed line is reported with its number and skipped, or aborts the run (exit 2). "
              + "Default: ${DEFAULT-VALUE}.")
  OnError onError;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TRACE",
      defaultValue = "-",
      description = "The trace file; - (the default) reads standard input.")
  String trace;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    UpcallTopics topics = kafka.topics(spec);
    Map<String, Object> properties = kafka.clientProperties(spec);
    Duration maxBlock = producing.maxBlock(spec);
    TraceSummary summary;
    try (Reader in = open(trace)) {
      kafka.reach(spec);
      producing.ensureTopics(topics, properties, kafka.timeout(), err);
      TracePublisher publisher =
          TracePublisher.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .topics(topics)
              .properties(properties)
              .maxBlock(maxBlock)
              .onError(onError)
              .progress(line -> println(err, line))
              .errors(line -> println(err, line))
              .build();
      summary = publisher.publish(in);
    } catch (TraceFormatException e) {
      println(
          err,
          "upcall: aborted at "
              + e.getMessage()
              + " (--on-error=abort); lines before it were published");
      return UpcallCli.EXIT_USAGE;
    }
    summary.print(out);
    out.flush();
    return summary.failed() > 0 ? UpcallCli.EXIT_FAILURE : 0;
  }

  private Reader open(String path) throws IOException {
    if (path.equals("-")) {
      return new InputStreamReader(System.in, StandardCharsets.UTF_8);
    }
    try {
      return Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "TRACE file not found: " + path);
    }
  }

  static void println(PrintWriter writer, String line) {
    writer.println(line);
    writer.flush();
  }

  /** {@code skip} or {@code abort}, any case. */
  static final class OnErrorConverter implements ITypeConverter<OnError> {
    @Override
    public OnError convert(String value) {
      try {
        return OnError.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "expected skip or abort, was '" + value + "'");
      }
    }
  }
}
