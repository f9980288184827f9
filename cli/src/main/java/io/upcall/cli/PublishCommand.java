package io.upcall.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.upcall.producers.trace.TracePublisher;
import io.upcall.producers.trace.TracePublisher.OnError;
import io.upcall.producers.trace.TraceSummary;
import io.upcall.schemas.topics.TopicAction;
import io.upcall.schemas.topics.TopicEnsurer;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.TraceFormatException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
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
@Command(name = "publish",
        mixinStandardHelpOptions = true,
        description = {
                "Publish a JSON-lines trace (the spec's format) to upcall.fops, one publisher per brick it names; "
                        + "REGISTER_XATTRS lines go to upcall.xattr-interest.",
                "A progress line goes to stderr every second, a summary to stdout at the end."})
public final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--on-error", paramLabel = "skip|abort", defaultValue = "skip", converter = OnErrorConverter.class,
            description = "A malformed line is reported with its number and skipped, or aborts the run (exit 2). "
                    + "Default: ${DEFAULT-VALUE}.")
    OnError onError;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TRACE", defaultValue = "-",
            description = "The trace file; - (the default) reads standard input.")
    String trace;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        UpcallTopics topics = kafka.topics(spec);
        Map<String, Object> properties = kafka.producerProperties(spec);
        kafka.ensureTopics(topics, properties, err);
        TracePublisher publisher = TracePublisher.builder()
                .bootstrapServers(kafka.bootstrapServers)
                .topics(topics)
                .properties(properties)
                .maxBlock(kafka.maxBlock)
                .onError(onError)
                .progress(line -> println(err, line))
                .errors(line -> println(err, line))
                .build();
        TraceSummary summary;
        try (Reader in = open(trace)) {
            summary = publisher.publish(in);
        } catch (TraceFormatException e) {
            println(err, "upcall: aborted at " + e.getMessage() + " (--on-error=abort); lines before it were published");
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

    /** Where and how the producing commands reach Kafka; shared by {@code publish} and {@code load}. */
    static final class KafkaOptions {

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
                description = "The Kafka cluster, host:port[,host:port...].")
        String bootstrapServers;

        @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "",
                description = "Prefix of every Upcall topic name, e.g. vol1. for the volume vol1. Default: none.")
        String topicPrefix;

        @Option(names = "--max-block", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
                description = "How long a publish may block on a slow or absent broker before it fails "
                        + "(e.g. 500ms, 5s, 1m). Default: ${DEFAULT-VALUE}.")
        Duration maxBlock;

        @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
                description = "A Kafka producer property, passed through (e.g. security.protocol=SASL_SSL); repeatable.")
        Map<String, String> producerProperties = new HashMap<>();

        @Option(names = "--producer-config", paramLabel = "FILE",
                description = "A properties file of Kafka producer (and admin) settings, e.g. security settings.")
        Path producerConfig;

        @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Create missing Upcall topics first (idempotent; needs the right to create topics). "
                        + "Default: on; --no-create-topics skips it.")
        boolean createTopics;

        UpcallTopics topics(CommandSpec spec) {
            try {
                return UpcallTopics.withPrefix(topicPrefix);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--topic-prefix: " + e.getMessage());
            }
        }

        /** The pass-through properties (file first, then --producer-property), bootstrap servers required. */
        Map<String, Object> producerProperties(CommandSpec spec) {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new ParameterException(spec.commandLine(), "Missing required option: '--bootstrap-servers=HOST:PORT'");
            }
            if (maxBlock.isZero() || maxBlock.isNegative()) {
                throw new ParameterException(spec.commandLine(), "--max-block must be positive, was " + maxBlock);
            }
            Map<String, Object> properties = new HashMap<>();
            if (producerConfig != null) {
                Properties file = new Properties();
                try (Reader in = Files.newBufferedReader(producerConfig, StandardCharsets.UTF_8)) {
                    file.load(in);
                } catch (IOException e) {
                    throw new ParameterException(spec.commandLine(),
                            "--producer-config: cannot read " + producerConfig + ": " + e.getMessage());
                }
                file.stringPropertyNames().forEach(name -> properties.put(name, file.getProperty(name)));
            }
            properties.putAll(producerProperties);
            return properties;
        }

        /** Creates missing topics when asked; a cluster that refuses (no ACL) gets a warning, not a failure. */
        void ensureTopics(UpcallTopics topics, Map<String, Object> properties, PrintWriter err) {
            if (!createTopics) {
                return;
            }
            Map<String, Object> admin = new HashMap<>();
            properties.forEach((key, value) -> {
                if (AdminClientConfig.configNames().contains(key)) {
                    admin.put(key, value);
                }
            });
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(maxBlock.toMillis(), 1000));
            admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(maxBlock.toMillis(), 1000));
            try (Admin client = Admin.create(admin)) {
                // Only when one is missing: an operator's changes to existing topics are not ours to undo.
                if (client.listTopics().names().get().containsAll(topics.all())) {
                    return;
                }
                for (TopicAction action : TopicEnsurer.ensure(client, topics, TopicSettings.defaults())) {
                    if (action.kind() != TopicAction.Kind.UP_TO_DATE) {
                        println(err, action.toString());
                    }
                }
                awaitLeaders(client, topics.fops());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking the topics", e);
            } catch (ExecutionException | KafkaException e) {
                println(err, "upcall: could not create the topics (" + e.getMessage()
                        + "); going on with what exists (--no-create-topics skips this step)");
            }
        }
    }

    /**
     * Waits until every partition of a just-created topic answers as leader. Until then a broker may refuse an
     * idempotent producer's first batch yet accept its second, which leaves the first out of sequence until its
     * delivery timeout.
     */
    static void awaitLeaders(Admin client, String topic) throws InterruptedException, ExecutionException {
        int partitions = client.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        client.listOffsets(latest).all().get(); // each partition's leader answers, retried until it does
    }

    /** {@code skip} or {@code abort}, any case. */
    static final class OnErrorConverter implements ITypeConverter<OnError> {
        @Override
        public OnError convert(String value) {
            try {
                return OnError.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected skip or abort, was '" + value + "'");
            }
        }
    }

    /** A duration as people write it: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601 {@code PT30S}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = SIMPLE.matcher(text);
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                double unitMs = switch (m.group(2)) {
                    case "ms" -> 1;
                    case "s" -> 1_000;
                    case "m" -> 60_000;
                    default -> 3_600_000;
                };
                return Duration.ofNanos(Math.round(amount * unitMs * 1_000_000));
            }
            try {
                return Duration.parse(value.trim());
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException(
                        "expected a duration such as 500ms, 30s, 5m or 1h, was '" + value + "'");
            }
        }
    }
}
