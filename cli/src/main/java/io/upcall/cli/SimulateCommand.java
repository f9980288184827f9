package io.upcall.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.trace.GfidAliases;
import io.upcall.schemas.trace.InvalidationJson;
import io.upcall.schemas.trace.TraceEvent;
import io.upcall.schemas.trace.TraceFormatException;
import io.upcall.schemas.trace.TraceReader;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallSimulator;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code upcall simulate}: runs the streams topology over a trace, without Kafka, and prints its invalidations. */
@Command(
    name = "simulate",
    description = {
      "Run the upcall streams topology over a JSON-lines trace (the spec's format) in event time, "
          + "without a Kafka cluster, and print every invalidation it emits as one JSON line.",
      "Each line has client, gfid, flags, ts and xattrs. A malformed line stops the run with "
          + "'TRACE:LINE: what is wrong' on stderr, exit 2. A gfid that is not a UUID is taken as an alias, "
          + "said once per alias on stderr."
    })
public final class SimulateCommand implements Callable<Integer> {

  private static final String STDIN = "<stdin>";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(
      names = "--timeout-s",
      paramLabel = "N",
      defaultValue = "60",
      description =
          "cache-invalidation-timeout T in whole seconds (>= 0; 0 notifies nobody). "
              + "Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(
      names = "--disabled",
      description = "Run with cache-invalidation off: nothing is tracked or sent.")
  boolean disabled;

  @Option(
      names = "--strict-gfids",
      description =
          "Refuse a gfid that is not a UUID (exit 2) instead of taking it as an alias: a mistyped "
              + "UUID would otherwise name another inode.")
  boolean strictGfids;

  @Option(
      names = "--explain",
      description =
          "Add to each line what caused it: \"cause\": the input line, its fop and its originator. "
              + "Without it the output is exactly the invalidations.")
  boolean explain;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TRACE",
      defaultValue = "-",
      description = "The trace file; - (the default) reads standard input.")
  String trace;

  @Override
  public Integer call() throws IOException {
    if (timeoutSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(), "--timeout-s must be >= 0, was " + timeoutSeconds);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String name = trace.equals("-") ? STDIN : trace;
    TraceReader[] reading = new TraceReader[1];
    Consumer<String> onNewAlias =
        alias -> {
          if (strictGfids) {
            throw new IllegalArgumentException("'" + alias + "' is not a UUID (--strict-gfids)");
          }
          err.println(
              name
                  + ":"
                  + reading[0].lineNumber()
                  + ": gfid '"
                  + alias
                  + "' is not a UUID; read as an "
                  + "alias (--strict-gfids refuses it)");
          err.flush();
        };
    GfidAliases aliases = new GfidAliases(onNewAlias);
    InvalidationJson json = new InvalidationJson(aliases, false);
    Map<String, TraceEvent> causes = new HashMap<>();
    long records = 0;
    try (TraceReader reader = new TraceReader(open(trace), aliases);
        UpcallSimulator simulator = new UpcallSimulator(new Switches(!disabled, timeoutSeconds))) {
      reading[0] = reader;
      Optional<TraceEvent> event;
      while ((event = reader.next()).isPresent()) {
        records++;
        if (explain && event.get() instanceof TraceEvent.FopEvent fop) {
          causes.put(fop.record().getFopId(), fop);
        }
        for (Invalidation invalidation : simulator.apply(event.get())) {
          String line = json.toJson(invalidation);
          out.println(explain ? explained(line, invalidation, causes, event.get(), aliases) : line);
        }
      }
    } catch (TraceFormatException e) {
      out.flush();
      err.println(name + ":" + e.lineNumber() + ": " + e.reason());
      err.flush();
      return UpcallCli.EXIT_USAGE;
    } catch (UncheckedIOException e) {
      throw new CommandFailure("cannot read " + name + ": " + e.getCause().getMessage(), e);
    }
    out.flush();
    if (records == 0) {
      err.println("0 records read from " + name);
      err.flush();
    }
    return 0;
  }

  /**
   * The invalidation's line with a {@code cause} member: the fop that the invalidation names as its cause, else the
   * event being applied. The plain line is written by the same printer, so only the added member differs.
   */
  private static String explained(
      String line,
      Invalidation invalidation,
      Map<String, TraceEvent> causes,
      TraceEvent applied,
      GfidAliases aliases) {
    TraceEvent cause = causes.getOrDefault(invalidation.getCauseFopId(), applied);
    ObjectNode explanation = JSON.createObjectNode();
    explanation.put("line", cause.lineNumber());
    if (cause instanceof TraceEvent.FopEvent fop) {
      explanation.put("fop", fop.record().getFop().name());
      explanation.put("gfid", aliases.display(fop.record().getGfid()));
    } else {
      explanation.put("fop", "REGISTER_XATTRS");
    }
    explanation.put("originator", cause.client());
    return line.substring(0, line.length() - 1) + ",\"cause\":" + explanation + "}";
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
}
