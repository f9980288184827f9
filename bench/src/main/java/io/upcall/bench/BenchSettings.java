package io.upcall.bench;

import io.upcall.producers.load.LoadSpec;
import io.upcall.streams.UpcallStreamsConfig;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What one bench run measures and for how long: the sections, their windows, the load's shape, and the Streams
 * properties every Streams application of the run gets on top of Upcall's defaults.
 *
 * @param partitions partitions of every topic: the raw topic, the baseline's in and out, and the pipeline's
 * @param rawWindow how long the raw baseline produces
 * @param baselineWindow how long the streams baseline produces, in each round
 * @param probeWindow the pipeline's unthrottled burst that estimates its capacity, in each round
 * @param sustainWindow how long a rate must hold without growing lag to count as sustained
 * @param searchSteps rungs of the sustained-rate ladder above four (at least 1): quick climbs at most six, full seven
 * @param latencyRates the fixed rates latency is measured at, fops/s
 * @param latencyWindow how long each latency rate is measured
 * @param latencyWarmUp how long each latency rate runs before it is measured: clients become fresh on the inodes
 *     they use over T (60 s), and with them the invalidations per write grow, so a rate's steady state takes time
 * @param fanOutClients clients caching the inode of the fan-out write
 * @param statePairs tracked (inode, client) pairs the state cost is measured at
 * @param clientsPerInode tracked clients per inode of the state cost
 * @param load the load generator's volume: its mix, clients, files and skew
 * @param sections what to measure
 * @param streamsOverrides Streams or Upcall properties for every Streams application of the run
 * @param rounds interleaved rounds of a baseline window and a capacity burst of every pipeline variant; the
 *     ratios are the median of the rounds' own ratios, so that a load spike moves one round, not the figure
 * @param countRate the fixed rate of the count window, fops/s: the records written per fop are counted at one rate
 *     on a fresh app, so that they depend on the code and the load, not on how fast the machine is
 * @param countWindow how long the count window publishes at {@code countRate}
 * @param formats the invalidation output formats to measure ({@value #FORMAT_CONFIG}), interleaved; empty for
 *     the app's default only
 */
public record BenchSettings(
    int partitions,
    Duration rawWindow,
    Duration baselineWindow,
    Duration probeWindow,
    Duration sustainWindow,
    int searchSteps,
    List<Integer> latencyRates,
    Duration latencyWindow,
    Duration latencyWarmUp,
    int fanOutClients,
    int statePairs,
    int clientsPerInode,
    LoadSpec load,
    Set<Section> sections,
    Map<String, String> streamsOverrides,
    int rounds,
    int countRate,
    Duration countWindow,
    List<String> formats) {

  /** How long each pipeline variant's load runs through a throwaway app before anything is measured. */
  public Duration jitWarmUp() {
    return countWindow;
  }

  /** The app's option choosing the invalidation output format; the bench passes it as a property of the app. */
  public static final String FORMAT_CONFIG = UpcallStreamsConfig.INVALIDATION_FORMAT_CONFIG;

  /** The output formats {@link #FORMAT_CONFIG} takes. */
  public static final List<String> FORMATS = List.of("per-client", "batched");

  /** The rates the latency fields name; every run measures these unless told otherwise. */
  public static final List<Integer> LATENCY_RATES = List.of(1_000, 5_000, 20_000);

  /**
   * The load of the pipeline sections: ≈ 80 % reads, 1 k clients, 100 k files in 1 k directories (the load
   * generator's default 100 files per directory), Zipf 1.0 over files, 3 bricks without replication; the tree
   * exists before the run (no CREATE prelude).
   */
  public static final LoadSpec PIPELINE_LOAD =
      LoadSpec.builder()
          .volume("bench")
          .bricks(3)
          .replicas(1)
          .clients(1_000)
          .directories(1_000)
          .files(100_000)
          .readRatio(0.8)
          .zipfExponent(1.0)
          .seed(42)
          .populate(false)
          .build();

  /**
   * Producer settings of every producer that feeds a measured topic (raw, baseline, load bricks, probes): what
   * the brick publisher always sets (acks=all, idempotence) plus 64 KiB lz4 batches with a 5 ms linger.
   */
  public static final Map<String, Object> PRODUCER =
      Map.of(
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
          ProducerConfig.LINGER_MS_CONFIG, "5",
          ProducerConfig.BATCH_SIZE_CONFIG, "65536",
          ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");

  public BenchSettings {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    positive("rawWindow", rawWindow);
    positive("baselineWindow", baselineWindow);
    positive("probeWindow", probeWindow);
    positive("sustainWindow", sustainWindow);
    positive("latencyWindow", latencyWindow);
    positive("latencyWarmUp", latencyWarmUp);
    if (searchSteps < 1) {
      throw new IllegalArgumentException("searchSteps must be at least 1, was " + searchSteps);
    }
    if (latencyRates.isEmpty() || latencyRates.stream().anyMatch(rate -> rate < 10)) {
      throw new IllegalArgumentException(
          "latencyRates must be rates of at least 10 fops/s, was " + latencyRates);
    }
    if (fanOutClients < 1 || statePairs < clientsPerInode || clientsPerInode < 1) {
      throw new IllegalArgumentException(
          "fanOutClients, statePairs and clientsPerInode must be positive, "
              + "with statePairs >= clientsPerInode");
    }
    Objects.requireNonNull(load, "load");
    positive("countWindow", countWindow);
    if (rounds < 1 || countRate < 10) {
      throw new IllegalArgumentException(
          "rounds must be at least 1 and countRate at least 10 fops/s, was "
              + rounds
              + " and "
              + countRate);
    }
    if (!FORMATS.containsAll(formats)) {
      throw new IllegalArgumentException("formats must be among " + FORMATS + ", was " + formats);
    }
    formats = List.copyOf(formats);
    latencyRates = List.copyOf(latencyRates);
    sections = sections.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(sections));
    streamsOverrides = Map.copyOf(streamsOverrides);
  }

  /** The full run (about a quarter of an hour): 30 s sustained rates, 30 s per latency rate after 30 s, 1 M pairs. */
  public static BenchSettings full() {
    return new BenchSettings(
        12,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        3,
        LATENCY_RATES,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        10_000,
        1_000_000,
        10,
        PIPELINE_LOAD,
        EnumSet.allOf(Section.class),
        Map.of(),
        3,
        1_000,
        Duration.ofSeconds(20),
        List.of());
  }

  /** {@code --quick}: the same sections in about four minutes (shorter windows, a ladder of at most six rates). */
  public static BenchSettings quick() {
    return new BenchSettings(
        12,
        Duration.ofSeconds(5),
        Duration.ofSeconds(4),
        Duration.ofSeconds(5),
        Duration.ofSeconds(8),
        2,
        LATENCY_RATES,
        Duration.ofSeconds(6),
        Duration.ofSeconds(2),
        10_000,
        1_000_000,
        10,
        PIPELINE_LOAD,
        EnumSet.allOf(Section.class),
        Map.of(),
        3,
        1_000,
        Duration.ofSeconds(8),
        List.of());
  }

  /** A run of seconds that still fills every field: for the smoke test, not for figures. */
  public static BenchSettings tiny() {
    LoadSpec small = PIPELINE_LOAD.toBuilder().clients(20).directories(10).files(200).build();
    return new BenchSettings(
        2,
        Duration.ofMillis(500),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        1,
        LATENCY_RATES,
        Duration.ofMillis(700),
        Duration.ofMillis(200),
        200,
        2_000,
        10,
        small,
        EnumSet.allOf(Section.class),
        Map.of("upcall.progress.interval.ms", "50"),
        2,
        200,
        Duration.ofSeconds(1),
        List.of());
  }

  /** These settings measuring only {@code only}. */
  public BenchSettings withSections(Set<Section> only) {
    return new BenchSettings(
        partitions,
        rawWindow,
        baselineWindow,
        probeWindow,
        sustainWindow,
        searchSteps,
        latencyRates,
        latencyWindow,
        latencyWarmUp,
        fanOutClients,
        statePairs,
        clientsPerInode,
        load,
        only,
        streamsOverrides,
        rounds,
        countRate,
        countWindow,
        formats);
  }

  /** These settings with {@code partitions} for every topic. */
  public BenchSettings withPartitions(int count) {
    return new BenchSettings(
        count,
        rawWindow,
        baselineWindow,
        probeWindow,
        sustainWindow,
        searchSteps,
        latencyRates,
        latencyWindow,
        latencyWarmUp,
        fanOutClients,
        statePairs,
        clientsPerInode,
        load,
        sections,
        streamsOverrides,
        rounds,
        countRate,
        countWindow,
        formats);
  }

  /** These settings with the state cost measured at {@code pairs} tracked pairs. */
  public BenchSettings withStatePairs(int pairs) {
    return new BenchSettings(
        partitions,
        rawWindow,
        baselineWindow,
        probeWindow,
        sustainWindow,
        searchSteps,
        latencyRates,
        latencyWindow,
        latencyWarmUp,
        fanOutClients,
        pairs,
        clientsPerInode,
        load,
        sections,
        streamsOverrides,
        rounds,
        countRate,
        countWindow,
        formats);
  }

  /** These settings with {@code extra} added to (and overriding) the Streams properties. */
  public BenchSettings withStreamsOverrides(Map<String, String> extra) {
    Map<String, String> merged = new LinkedHashMap<>(streamsOverrides);
    merged.putAll(extra);
    return new BenchSettings(
        partitions,
        rawWindow,
        baselineWindow,
        probeWindow,
        sustainWindow,
        searchSteps,
        latencyRates,
        latencyWindow,
        latencyWarmUp,
        fanOutClients,
        statePairs,
        clientsPerInode,
        load,
        sections,
        merged,
        rounds,
        countRate,
        countWindow,
        formats);
  }

  /**
   * These settings measuring the invalidation output formats {@code measured} (interleaved when several); empty
   * for the app's default.
   */
  public BenchSettings withFormats(List<String> measured) {
    return new BenchSettings(
        partitions,
        rawWindow,
        baselineWindow,
        probeWindow,
        sustainWindow,
        searchSteps,
        latencyRates,
        latencyWindow,
        latencyWarmUp,
        fanOutClients,
        statePairs,
        clientsPerInode,
        load,
        sections,
        streamsOverrides,
        rounds,
        countRate,
        countWindow,
        measured);
  }

  /** Whether {@code section} is to be measured. */
  public boolean measures(Section section) {
    return sections.contains(section);
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
