package io.upcall.reliability;

import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The streams app as its own process, so a test can crash it for real ({@code destroyForcibly}: no commit, no
 * leave-group, no flush). Reads its configuration from the properties file named by the only argument, prints
 * {@value #RUNNING} once RUNNING, and runs until killed; SIGTERM closes it cleanly.
 */
public final class StreamsProcess {
  static final String RUNNING = "UPCALL-STREAMS-RUNNING";

  private StreamsProcess() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      props.load(in);
    }
    UpcallStreamsApp app = UpcallStreamsApp.start(new UpcallStreamsConfig(props));
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  closed.countDown();
                },
                "streams-process-shutdown"));
    if (!app.awaitRunning(Duration.ofSeconds(120))) {
      System.err.println("the streams app did not reach RUNNING within 120 s: " + app.state());
      System.exit(3);
    }
    System.out.println(RUNNING);
    System.out.flush();
    closed.await();
  }
}
