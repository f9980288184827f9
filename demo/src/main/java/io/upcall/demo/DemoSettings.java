package io.upcall.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Demo} runs: where (an embedded broker, or an existing cluster), for how long, with which guarantee,
 * how many clients at which rate, and how much background load.
 *
 * @param bootstrapServers an existing Kafka cluster, or null for an embedded single-node broker
 * @param duration how long to run once traffic flows, or null to run until {@link Demo#stop()}
 * @param exactlyOnce the streams app's processing guarantee: exactly_once_v2 when true, else at_least_once
 * @param commitInterval the streams app's commit interval (under exactly-once, the floor of fop→cache latency)
 * @param clients clients with a metadata cache reading and writing the shared tree
 * @param clientOpsPerSecond operations per second of each client (lookups and changes)
 * @param loadFopsPerSecond fops per second of the background load generator; 0 for none
 * @param stalenessBound how far behind a change a cached answer may be (the clients' bound)
 * @param partitions partitions of the Upcall topics the demo creates when they are missing
 * @param startStreams whether to run a streams app instance in this process (else one must be running already)
 * @param applicationId the streams app's application id (instances with the same id share the work)
 * @param directories directories of the shared tree
 * @param files files of the shared tree (kept near this size)
 * @param seed seed of every random choice of the clients and the load
 * @param httpPort port of the in-process streams app's operator endpoint on 127.0.0.1: 0 picks a free one, -1 serves
 *     none
 * @param brokers without {@code bootstrapServers}: 1 runs an embedded broker in this process, more a cluster of that
 *     many real brokers in child JVMs (replication factor 3, min ISR 2 from three on)
 * @param chaos inject broker and app faults in turn ({@link Chaos}); needs at least three brokers of its own and the
 *     streams app in this process
 */
public record DemoSettings(
    String bootstrapServers,
    Duration duration,
    boolean exactlyOnce,
    Duration commitInterval,
    int clients,
    double clientOpsPerSecond,
    double loadFopsPerSecond,
    Duration stalenessBound,
    int partitions,
    boolean startStreams,
    String applicationId,
    int directories,
    int files,
    long seed,
    int httpPort,
    int brokers,
    boolean chaos) {

  /** The default application id, the same as a deployed streams app's so that the demo can join it. */
  public static final String DEFAULT_APPLICATION_ID = "upcall-streams";

  /** @throws IllegalArgumentException naming the setting that is out of range */
  public DemoSettings {
    if (bootstrapServers != null && bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrapServers must not be blank (null runs an embedded broker)");
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    positive("commitInterval", commitInterval);
    positive("stalenessBound", stalenessBound);
    if (clients < 2) {
      throw new IllegalArgumentException(
          "clients must be at least 2 (one changes what another caches), was " + clients);
    }
    if (!(clientOpsPerSecond > 0) || Double.isInfinite(clientOpsPerSecond)) {
      throw new IllegalArgumentException(
          "clientOpsPerSecond must be a positive number, was " + clientOpsPerSecond);
    }
    if (!(loadFopsPerSecond >= 0) || Double.isInfinite(loadFopsPerSecond)) {
      throw new IllegalArgumentException(
          "loadFopsPerSecond must be a number >= 0, was " + loadFopsPerSecond);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    Objects.requireNonNull(applicationId, "applicationId");
    if (applicationId.isBlank()) {
      throw new IllegalArgumentException("applicationId must not be blank");
    }
    if (directories < 1) {
      throw new IllegalArgumentException("directories must be at least 1, was " + directories);
    }
    if (files < 1) {
      throw new IllegalArgumentException("files must be at least 1, was " + files);
    }
    if (httpPort < -1 || httpPort > 65_535) {
      throw new IllegalArgumentException(
          "httpPort must be -1 (none), 0 (any free port) or a port, was " + httpPort);
    }
    if (brokers < 1 || brokers > 9) {
      throw new IllegalArgumentException("brokers must be between 1 and 9, was " + brokers);
    }
    if (brokers > 1 && bootstrapServers != null) {
      throw new IllegalArgumentException(
          "brokers starts brokers here: it cannot be combined with bootstrapServers");
    }
    if (chaos && brokers < 3) {
      throw new IllegalArgumentException(
          "chaos needs brokers of at least 3 (it kills, pauses and restarts brokers "
              + "of a replicated cluster it starts itself), was "
              + brokers);
    }
    if (chaos && !startStreams) {
      throw new IllegalArgumentException(
          "chaos restarts the streams app in this process: it needs startStreams");
    }
  }

  /** Starts from the defaults: an embedded broker, exactly-once with 100 ms commits, 3 clients, light load. */
  public static Builder builder() {
    return new Builder();
  }

  /** The processing guarantee's name as Kafka Streams spells it. */
  public String processingGuarantee() {
    return exactlyOnce ? "exactly_once_v2" : "at_least_once";
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  /** Builds {@link DemoSettings}; every setting has a default. */
  public static final class Builder {
    private String bootstrapServers;
    private Duration duration;
    private boolean exactlyOnce = true;
    private Duration commitInterval = Duration.ofMillis(100);
    private int clients = 3;
    private double clientOpsPerSecond = 100;
    private double loadFopsPerSecond = 300;
    private Duration stalenessBound = Duration.ofSeconds(2);
    private int partitions = 4;
    private boolean startStreams = true;
    private String applicationId = DEFAULT_APPLICATION_ID;
    private int directories = 4;
    private int files = 60;
    private long seed = 1;
    private int httpPort;
    private int brokers = 1;
    private boolean chaos;

    private Builder() {}

    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder exactlyOnce(boolean exactlyOnce) {
      this.exactlyOnce = exactlyOnce;
      return this;
    }

    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
      return this;
    }

    public Builder clients(int clients) {
      this.clients = clients;
      return this;
    }

    public Builder clientOpsPerSecond(double clientOpsPerSecond) {
      this.clientOpsPerSecond = clientOpsPerSecond;
      return this;
    }

    public Builder loadFopsPerSecond(double loadFopsPerSecond) {
      this.loadFopsPerSecond = loadFopsPerSecond;
      return this;
    }

    public Builder stalenessBound(Duration stalenessBound) {
      this.stalenessBound = stalenessBound;
      return this;
    }

    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    public Builder startStreams(boolean startStreams) {
      this.startStreams = startStreams;
      return this;
    }

    public Builder applicationId(String applicationId) {
      this.applicationId = applicationId;
      return this;
    }

    public Builder directories(int directories) {
      this.directories = directories;
      return this;
    }

    public Builder files(int files) {
      this.files = files;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder httpPort(int httpPort) {
      this.httpPort = httpPort;
      return this;
    }

    public Builder brokers(int brokers) {
      this.brokers = brokers;
      return this;
    }

    public Builder chaos(boolean chaos) {
      this.chaos = chaos;
      return this;
    }

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public DemoSettings build() {
      return new DemoSettings(
          bootstrapServers,
          duration,
          exactlyOnce,
          commitInterval,
          clients,
          clientOpsPerSecond,
          loadFopsPerSecond,
          stalenessBound,
          partitions,
          startStreams,
          applicationId,
          directories,
          files,
          seed,
          httpPort,
          brokers,
          chaos);
    }
  }
}
