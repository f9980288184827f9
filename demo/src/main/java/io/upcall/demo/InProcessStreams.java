package io.upcall.demo;

import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The demo's streams app instance in this process, which {@link Chaos} may stop and start again on the same
 * configuration and state directory: a planned stop is not a failure of the app.
 */
final class InProcessStreams implements AutoCloseable {
  private final Map<String, Object> config;
  private final Duration readyTimeout;
  private volatile UpcallStreamsApp app;
  private volatile boolean stopped;

  private InProcessStreams(Map<String, Object> config, Duration readyTimeout) {
    this.config = Map.copyOf(config);
    this.readyTimeout = readyTimeout;
  }

  /** Starts the app and returns once it is RUNNING. */
  static InProcessStreams start(Map<String, Object> config, Duration readyTimeout)
      throws InterruptedException {
    InProcessStreams streams = new InProcessStreams(config, readyTimeout);
    streams.startApp();
    return streams;
  }

  private void startApp() throws InterruptedException {
    UpcallStreamsApp started = UpcallStreamsApp.start(new UpcallStreamsConfig(config));
    app = started;
    stopped = false;
    if (!started.awaitRunning(readyTimeout)) {
      throw new IllegalStateException(
          "the streams app did not reach RUNNING within "
              + readyTimeout.toSeconds()
              + " s (state "
              + started.state()
              + ")");
    }
  }

  /** Stops the instance (it commits and leaves its group); {@link #restart()} starts a new one. */
  void stop() {
    stopped = true;
    app.close();
  }

  /** Starts a new instance on the same state directory; returns once it is RUNNING. */
  void restart() throws InterruptedException {
    startApp();
  }

  /** The app's state, "STOPPED" while a planned stop lasts. */
  String describeState() {
    return stopped ? "stopped" : app.state().toString();
  }

  /** Whether the app failed or stopped on its own (a planned stop is neither). */
  Optional<KafkaStreams.State> failed() {
    KafkaStreams.State state = app.state();
    boolean down = state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING;
    return down && !stopped ? Optional.of(state) : Optional.empty();
  }

  Optional<URI> operatorEndpoint() {
    return app.operatorEndpoint();
  }

  @Override
  public void close() {
    if (!stopped) {
      stopped = true;
      app.close();
    }
  }
}
