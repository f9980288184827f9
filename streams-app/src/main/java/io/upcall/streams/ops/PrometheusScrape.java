package io.upcall.streams.ops;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code GET /metrics}: Prometheus text from a Micrometer registry with Kafka Streams' metrics (its clients', its
 * threads', tasks', stores', and the Upcall processors' sensors) and the JVM's bound.
 */
final class PrometheusScrape implements AutoCloseable {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /**
   * How often the binder looks for metrics that appeared since (a task's sensors appear when it is assigned); the
   * binder's default of a minute would hide a new task's counters that long.
   */
  private static final Duration REFRESH = Duration.ofSeconds(2);

  /**
   * Streams tags a store's metrics by the store's type ({@code rocksdb-state-id}, {@code in-memory-state-id}), and
   * Prometheus refuses a meter whose tag keys differ from another's of the same name, so whichever registers second
   * is lost. The in-memory stores are the small global ones (xattr interest, switches): their metrics go, so the
   * RocksDB stores' (the inode state) always stay. Renaming the tag instead confuses the binder's bookkeeping.
   */
  private static final List<String> IN_MEMORY_STORE_TAGS =
      List.of(
          "in.memory.state.id",
          "in.memory.lru.state.id",
          "in.memory.window.state.id",
          "in.memory.session.state.id");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "upcall-metrics-refresh");
            thread.setDaemon(true);
            return thread;
          });
  private final KafkaStreamsMetrics streamsMetrics;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  PrometheusScrape(KafkaStreams streams) {
    registry
        .config()
        .meterFilter(
            MeterFilter.deny(
                id -> IN_MEMORY_STORE_TAGS.stream().anyMatch(tag -> id.getTag(tag) != null)));
    streamsMetrics = new KafkaStreamsMetrics(streams, Tags.empty(), refresher, REFRESH);
    streamsMetrics.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  Reply get() {
    return Reply.text(registry.scrape(), CONTENT_TYPE);
  }

  @Override
  public void close() {
    streamsMetrics.close();
    gcMetrics.close();
    refresher.shutdownNow();
    registry.close();
  }
}
