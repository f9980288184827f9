package io.upcall.cli;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * A Kafka cluster that answered: every command that talks to Kafka asks first, bounded by its {@code --timeout}, so
 * that a cluster it cannot reach is one line naming the address instead of retries, timeouts of some later step, or
 * a topic said to be missing.
 *
 * @param bootstrapServers the address that answered
 * @param brokers how many brokers the cluster has
 */
record ReachableCluster(String bootstrapServers, int brokers) {

  /**
   * Asks the cluster at {@code clientProperties}' bootstrap servers for its brokers.
   *
   * @throws CommandFailure one line naming the address and what to check, when it does not answer in time, refuses
   *     the credentials, or the address does not resolve
   */
  static ReachableCluster reach(Map<String, Object> clientProperties, Duration timeout) {
    String address =
        String.valueOf(clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    Map<String, Object> properties = adminProperties(clientProperties);
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "upcall-cluster-check");
    Admin admin;
    try {
      admin = Admin.create(properties);
    } catch (KafkaException e) {
      throw new CommandFailure(
          "cannot connect to Kafka at "
              + address
              + ": "
              + rootMessage(e)
              + " (see --bootstrap-server and --command-config)",
          e);
    }
    try {
      Collection<Node> nodes =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
              .nodes()
              .get(timeoutMs + 2_000L, TimeUnit.MILLISECONDS);
      return new ReachableCluster(address, nodes.size());
    } catch (ExecutionException e) {
      throw failure(address, timeout, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw failure(address, timeout, new TimeoutException(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted while reaching Kafka at " + address, e);
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  /** The one line for a cluster that did not answer in time. */
  static String unreachable(String address, Duration timeout) {
    return "cannot reach Kafka at "
        + address
        + " within "
        + DurationParser.format(timeout)
        + " (is a broker running there? see --bootstrap-server)";
  }

  /** Of the client properties, those an admin client knows (the others would each be warned about). */
  static Map<String, Object> adminProperties(Map<String, Object> clientProperties) {
    Map<String, Object> admin = new HashMap<>();
    clientProperties.forEach(
        (key, value) -> {
          if (AdminClientConfig.configNames().contains(key)) {
            admin.put(key, value);
          }
        });
    return admin;
  }

  private static CommandFailure failure(String address, Duration timeout, Throwable cause) {
    if (cause instanceof TimeoutException) {
      return new CommandFailure(unreachable(address, timeout), cause);
    }
    if (cause instanceof AuthenticationException) {
      return new CommandFailure(
          "Kafka at "
              + address
              + " refused the credentials: "
              + rootMessage(cause)
              + " (see --command-config)",
          cause);
    }
    if (cause instanceof AuthorizationException) {
      return new CommandFailure(
          "Kafka at " + address + " refused to describe the cluster: " + rootMessage(cause), cause);
    }
    return new CommandFailure(
        "cannot talk to Kafka at " + address + ": " + rootMessage(cause), cause);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
