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

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "The Kafka cluster, host:port[,host:port...] (or bootstrap.servers in the file).")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file: the options of the streams app (see the README) and any Kafka "
                    + "Streams property.")
    Path config;

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
        err.println("upcall streams: started; Ctrl-C stops it");
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
        try {
            return UpcallStreamsConfig.load(config, System.getenv(), flags);
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
