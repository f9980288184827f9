package io.upcall.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.streams.ops.HttpSettings;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code upcall streams}: runs the streams application until Ctrl-C, which closes it cleanly. */
@Command(name = "streams",
        description = {
                "Run the upcall streams application: upcall.fops in, upcall.invalidations out. Options come from",
                "--config, then UPCALL_* environment variables (UPCALL_CACHE_INVALIDATION_TIMEOUT=30), then these",
                "flags; any other Kafka Streams property in the file passes through. Ctrl-C stops it cleanly."})
public final class StreamsCommand implements Callable<Integer> {

    /** Where the operator commands (inspect, stats, config get) look by default. */
    static final int DEFAULT_HTTP_PORT = 8080;

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "The Kafka cluster, host:port[,host:port...] (or bootstrap.servers in the file).")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file: the options of the streams app (see the README) and any Kafka "
                    + "Streams property.")
    Path config;

    @Option(names = "--http-port", paramLabel = "N",
            description = "Port of the operator HTTP endpoint (/health, /metrics, /inodes/{gfid}, /stats, …); 0 picks "
                    + "a free one, -1 serves none. Default: upcall.http.port from --config or UPCALL_HTTP_PORT, else "
                    + DEFAULT_HTTP_PORT + ".")
    Integer httpPort;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        UpcallStreamsApp app = UpcallStreamsApp.start(config());
        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            app.close();
            closed.countDown();
        }, "upcall-streams-shutdown");
        Runtime.getRuntime().addShutdownHook(closer);
        err.println("upcall streams: started; Ctrl-C stops it"
                + app.operatorEndpoint().map(uri -> "; operator endpoint " + uri).orElse(""));
        err.flush();
        while (!closed.await(1, TimeUnit.SECONDS)) {
            KafkaStreams.State state = app.state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                Runtime.getRuntime().removeShutdownHook(closer);
                app.close();
                err.println("upcall streams: stopped on its own (" + state + "); see the log for why");
                err.flush();
                return UpcallCli.EXIT_FAILURE;
            }
        }
        return 0;
    }

    private UpcallStreamsConfig config() {
        if (config != null && !Files.isReadable(config)) {
            throw new ParameterException(spec.commandLine(), "--config: cannot read " + config);
        }
        Map<String, Object> flags = new HashMap<>();
        if (bootstrapServers != null) {
            flags.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        if (httpPort != null) {
            if (httpPort < -1 || httpPort > 65535) {
                throw new ParameterException(spec.commandLine(),
                        "--http-port must be -1 (none), 0 (any free port) or a port up to 65535, was " + httpPort);
            }
            flags.put(HttpSettings.PORT_CONFIG, httpPort);
        }
        try {
            UpcallStreamsConfig loaded = UpcallStreamsConfig.load(config, System.getenv(), flags);
            if (httpPort == null && !loaded.originals().containsKey(HttpSettings.PORT_CONFIG)) {
                // The library serves no endpoint unless asked; the command serves where the operator commands look.
                flags.put(HttpSettings.PORT_CONFIG, DEFAULT_HTTP_PORT);
                loaded = UpcallStreamsConfig.load(config, System.getenv(), flags);
            }
            return loaded;
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
