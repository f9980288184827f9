package io.upcall.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.upcall.avro.Invalidation;
import io.upcall.schemas.trace.GfidAliases;
import io.upcall.schemas.trace.InvalidationJson;
import io.upcall.schemas.trace.TraceEvent;
import io.upcall.schemas.trace.TraceFormatException;
import io.upcall.schemas.trace.TraceReader;
import io.upcall.streams.Switches;
import io.upcall.streams.UpcallSimulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code upcall simulate}: runs the streams topology over a trace, without Kafka, and prints its invalidations. */
@Command(name = "simulate",
        description = {
                "Run the upcall streams topology over a JSON-lines trace (the spec's format) in event time, without",
                "a Kafka cluster, and print every invalidation it emits as one JSON line (client, gfid, flags, ts,",
                "xattrs). A malformed line stops the run: 'line N: <reason>' on stderr, exit 2."})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--timeout-s", paramLabel = "N", defaultValue = "60",
            description = "cache-invalidation-timeout T in whole seconds (>= 0; 0 notifies nobody). "
                    + "Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Option(names = "--disabled", description = "Run with cache-invalidation off: nothing is tracked or sent.")
    boolean disabled;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TRACE", defaultValue = "-",
            description = "The trace file; - (the default) reads standard input.")
    String trace;

    @Override
    public Integer call() throws IOException {
        if (timeoutSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--timeout-s must be >= 0, was " + timeoutSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        GfidAliases aliases = new GfidAliases();
        InvalidationJson json = new InvalidationJson(aliases, false);
        try (TraceReader reader = new TraceReader(open(trace), aliases);
                UpcallSimulator simulator = new UpcallSimulator(new Switches(!disabled, timeoutSeconds))) {
            Optional<TraceEvent> event;
            while ((event = reader.next()).isPresent()) {
                for (Invalidation invalidation : simulator.apply(event.get())) {
                    out.println(json.toJson(invalidation));
                }
            }
        } catch (TraceFormatException e) {
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println(e.getMessage());
            err.flush();
            return UpcallCli.EXIT_USAGE;
        }
        out.flush();
        return 0;
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
