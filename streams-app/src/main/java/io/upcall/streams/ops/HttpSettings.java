package io.upcall.streams.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * Where a streams instance serves its operator HTTP endpoint, and the host the other instances reach it at.
 *
 * @param port -1: no endpoint; 0: any free port; else the port
 * @param bindAddress the address to listen on; 0.0.0.0 listens on every interface
 * @param advertisedHost the host of Kafka Streams' {@code application.server}; empty: derived, see {@link #hostToAdvertise}
 * @param allowConfigChanges whether the web console may write switch changes to the upcall.config topic
 */
public record HttpSettings(
    int port, String bindAddress, String advertisedHost, boolean allowConfigChanges) {
  public static final String PORT_CONFIG = "upcall.http.port";
  public static final String PORT_DOC =
      "Port of the operator HTTP endpoint (health, Prometheus metrics, interactive "
          + "queries over the stores): -1 serves none, 0 picks a free port. `upcall streams` makes it 8080 unless set.";
  public static final int PORT_DEFAULT = -1;

  public static final String BIND_ADDRESS_CONFIG = "upcall.http.bind.address";
  public static final String BIND_ADDRESS_DOC =
      "Address the operator endpoint listens on; 0.0.0.0 is every interface.";
  public static final String BIND_ADDRESS_DEFAULT = "0.0.0.0";

  public static final String ADVERTISED_HOST_CONFIG = "upcall.http.advertised.host";
  public static final String ADVERTISED_HOST_DOC =
      "Host name the other instances reach this one's endpoint at "
          + "(advertised with the bound port as Kafka Streams' application.server, unless that is set). Empty: the bind "
          + "address when it is not a wildcard, else this machine's host name.";
  public static final String ADVERTISED_HOST_DEFAULT = "";

  public static final String ALLOW_CONFIG_CHANGES_CONFIG =
      "upcall.http.console.allow-config-changes";
  public static final String ALLOW_CONFIG_CHANGES_DOC =
      "Whether the web console at / may change the runtime "
          + "switches (it writes to the upcall.config topic, as `upcall config set` does, and every instance applies the "
          + "change). Off: the console only reads, and POST /config is refused with 403.";
  public static final boolean ALLOW_CONFIG_CHANGES_DEFAULT = false;

  /** No endpoint. */
  public static final HttpSettings OFF =
      new HttpSettings(-1, BIND_ADDRESS_DEFAULT, ADVERTISED_HOST_DEFAULT);

  public HttpSettings {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException(
          PORT_CONFIG + " must be -1 (off), 0 (any free port) or a port, was " + port);
    }
  }

  /** An endpoint whose console only reads. */
  public HttpSettings(int port, String bindAddress, String advertisedHost) {
    this(port, bindAddress, advertisedHost, ALLOW_CONFIG_CHANGES_DEFAULT);
  }

  /** The settings of a validated configuration that defines the four options (as UpcallStreamsConfig does). */
  public static HttpSettings from(AbstractConfig config) {
    return new HttpSettings(
        config.getInt(PORT_CONFIG),
        config.getString(BIND_ADDRESS_CONFIG).trim(),
        config.getString(ADVERTISED_HOST_CONFIG).trim(),
        config.getBoolean(ALLOW_CONFIG_CHANGES_CONFIG));
  }

  /** An endpoint on 127.0.0.1 only, as tests and single-machine runs use; port 0 picks a free one. */
  public static HttpSettings loopback(int port) {
    return new HttpSettings(port, "127.0.0.1", "127.0.0.1");
  }

  public boolean enabled() {
    return port >= 0;
  }

  /** The advertised host, else a specific bind address, else this machine's name (what peers in a cluster resolve). */
  String hostToAdvertise() {
    if (!advertisedHost.isEmpty()) {
      return advertisedHost;
    }
    if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::") && !bindAddress.isEmpty()) {
      return bindAddress;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
