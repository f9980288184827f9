package io.upcall.cli;

import java.util.HashMap;
import java.util.Map;

import io.upcall.schemas.topics.UpcallTopics;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The Kafka cluster and topic names an operator command reads or writes: {@code --bootstrap-servers}, {@code --topic-prefix}. */
final class ClusterOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", required = true,
            description = "The Kafka cluster, host:port[,host:port...].")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "",
            description = "Prefix of every Upcall topic name, e.g. vol1. for the volume vol1. Default: none.")
    String topicPrefix;

    @Option(names = "--client-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property, passed through (e.g. security.protocol=SASL_SSL); repeatable.")
    Map<String, String> clientProperties = new HashMap<>();

    UpcallTopics topics(CommandSpec spec) {
        try {
            return UpcallTopics.withPrefix(topicPrefix);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--topic-prefix: " + e.getMessage());
        }
    }

    /** Client properties: the pass-through ones, then bootstrap.servers. */
    Map<String, Object> clientProperties(CommandSpec spec) {
        if (bootstrapServers.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--bootstrap-servers must name at least one host:port");
        }
        Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }
}
