package io.upcall.cli;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Watches the cluster of a long-running command ({@code streams}, {@code demo}) and says once when it is lost and once
 * when it is back: the Kafka clients' own retries say it every few hundred milliseconds, and are kept off the console.
 */
final class BrokerWatch implements AutoCloseable {

  private final String address;
  private final Duration timeout;
  private final Duration interval;
  private final Consumer<String> say;
  private final Admin admin;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread thread;

  private BrokerWatch(
      Map<String, Object> clientProperties,
      Duration timeout,
      Duration interval,
      Consumer<String> say) {
    this.address = String.valueOf(clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.timeout = timeout;
    this.interval = interval;
    this.say = say;
    Map<String, Object> properties = ReachableCluster.adminProperties(clientProperties);
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "upcall-broker-watch");
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(timeout));
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis(timeout));
    this.admin = Admin.create(properties);
    this.thread = new Thread(this::watch, "upcall-broker-watch");
    thread.setDaemon(true);
  }

  /**
   * Starts watching the cluster at {@code clientProperties}' bootstrap servers, asking every {@code interval} and
   * waiting {@code timeout} for an answer; {@code say} hears "lost Kafka at …" and "Kafka at … is back".
   */
  static BrokerWatch start(
      Map<String, Object> clientProperties,
      Duration timeout,
      Duration interval,
      Consumer<String> say) {
    BrokerWatch watch = new BrokerWatch(clientProperties, timeout, interval, say);
    watch.thread.start();
    return watch;
  }

  private void watch() {
    boolean reachable = true;
    try {
      while (!closed.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
        boolean now = answers();
        if (closed.getCount() == 0) {
          return;
        }
        if (now != reachable) {
          say.accept(
              now
                  ? "Kafka at " + address + " is back"
                  : "lost Kafka at "
                      + address
                      + " (no answer within "
                      + DurationParser.format(timeout)
                      + "); retrying until it is back");
          reachable = now;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean answers() throws InterruptedException {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(millis(timeout)))
          .nodes()
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed.countDown();
    thread.interrupt();
    try {
      thread.join(timeout.toMillis() + 2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ZERO);
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }
}
