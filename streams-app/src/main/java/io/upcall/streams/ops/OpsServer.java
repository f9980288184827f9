package io.upcall.streams.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.upcall.streams.Switches;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator HTTP endpoint of one streams instance (JDK HTTP server, JSON bodies): interactive queries over the
 * inode state ({@code /inodes/{gfid}}, {@code /clients/{uid}}), {@code /stats}, {@code /config} (the switches
 * applied), {@code /instances}, {@code /health} and Prometheus {@code /metrics}; and a web console at {@code /} that
 * reads them, with what only it needs ({@code /rates}, {@code /hot}, {@code /switches}, and {@code POST /config}
 * when {@value HttpSettings#ALLOW_CONFIG_CHANGES_CONFIG} is true). Every instance answers every question: what lives
 * in another instance's stores is asked of it over HTTP, at its advertised {@code application.server}.
 *
 * <p>Bind it before configuring Kafka Streams (a port 0 is known only then), then {@link #serve} the running app.
 */
public final class OpsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
  private static final int WORKERS = 4;

  /**
   * The JDK server sends a response's headers and body in two writes; with Nagle on, the body waits for the
   * client's delayed ACK of the headers: measured 40-50 ms per answer between two instances instead of ~3 ms.
   * Read once, when the JVM's first HttpServer starts, and only by that server.
   */
  private static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

  private static final List<String> SWITCHES = Switches.OPTIONS.stream().sorted().toList();
  private static final String ENDPOINTS =
      "GET /inodes/{gfid}, /clients/{uid}, /stats, /config, /instances, /health, "
          + "/metrics, /rates, /hot, /switches, / (the console)";

  /** Seconds between two samples of the console's rates and change rounds. */
  private static final int SAMPLE_SECONDS = 2;

  /** Samples kept: ten minutes. */
  private static final int SAMPLES = 300;

  private final HttpServer server;
  private final ExecutorService workers;
  private final String advertisedHost;
  private final boolean allowConfigChanges;
  private volatile Routes routes;

  private OpsServer(
      HttpServer server,
      ExecutorService workers,
      String advertisedHost,
      boolean allowConfigChanges) {
    this.server = server;
    this.workers = workers;
    this.advertisedHost = advertisedHost;
    this.allowConfigChanges = allowConfigChanges;
  }

  /**
   * Listens on the settings' address and port now; answers nothing until {@link #serve}.
   *
   * @throws UncheckedIOException naming the address when it cannot be bound (e.g. the port is in use)
   */
  public static OpsServer bind(HttpSettings settings) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException(
          HttpSettings.PORT_CONFIG + " is -1: no operator endpoint to bind");
    }
    if (System.getProperty(NO_DELAY_PROPERTY) == null) {
      System.setProperty(NO_DELAY_PROPERTY, "true");
    }
    InetSocketAddress address = new InetSocketAddress(settings.bindAddress(), settings.port());
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the operator endpoint on "
              + settings.bindAddress()
              + ":"
              + settings.port()
              + " ("
              + HttpSettings.PORT_CONFIG
              + "): "
              + e.getMessage(),
          e);
    }
    AtomicInteger counter = new AtomicInteger();
    ExecutorService workers =
        Executors.newFixedThreadPool(
            WORKERS,
            runnable -> {
              Thread thread = new Thread(runnable, "upcall-http-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(workers);
    return new OpsServer(
        server, workers, settings.hostToAdvertise(), settings.allowConfigChanges());
  }

  /** The port it listens on (the one picked when the settings said 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** host:port to advertise as Kafka Streams' {@code application.server}. */
  public String applicationServer() {
    return advertisedHost + ":" + port();
  }

  /**
   * Starts answering for {@code streams}.
   *
   * @param self this instance as Kafka Streams advertises it (its {@code application.server})
   * @param startup the switches the application started with
   * @param applied the switches it applies now (the config topic's changes included)
   * @param topics the application's topics, and how the console writes switch changes
   */
  public void serve(
      KafkaStreams streams,
      HostInfo self,
      Switches startup,
      Supplier<Switches> applied,
      TopicAccess topics) {
    routes = new Routes(streams, self, startup, applied, topics, allowConfigChanges);
    server.createContext("/", this::handle);
    server.start();
  }

  /** This endpoint's base URI, e.g. {@code http://streams-1:8080}; the console is at its root. */
  public URI uri() {
    return URI.create("http://" + applicationServer());
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
    Routes serving = routes;
    if (serving != null) {
      serving.close();
    }
  }

  /** Interactive queries need the instance to have (or be getting) its assignment. */
  static boolean queryable(KafkaStreams.State state) {
    return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
  }

  static void requireQueryable(KafkaStreams streams) {
    KafkaStreams.State state = streams.state();
    if (!queryable(state)) {
      throw new HttpProblem(503, "Kafka Streams is " + state + ": the stores cannot be queried");
    }
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      Reply reply;
      try {
        reply = route(exchange);
      } catch (HttpProblem problem) {
        reply = Reply.problem(problem.status(), problem.getMessage());
      } catch (InvalidStateStoreException e) {
        reply = Reply.problem(503, "the stores cannot be queried now: " + e.getMessage());
      } catch (RuntimeException e) {
        log.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        reply = Reply.problem(500, Peers.describe(e));
      }
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      // Answers describe the moment they are asked; the console polls them.
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      if (reply.status() == 405) {
        exchange
            .getResponseHeaders()
            .set("Allow", isConfig(exchange.getRequestURI()) ? "GET, POST" : "GET");
      }
      exchange.sendResponseHeaders(reply.status(), reply.body().length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(reply.body());
      }
    } catch (IOException e) {
      log.debug(
          "could not answer {} {}: {}",
          exchange.getRequestMethod(),
          exchange.getRequestURI(),
          e.toString());
    }
  }

  private static boolean isConfig(URI uri) {
    return uri.getRawPath().equals("/config");
  }

  private Reply route(HttpExchange exchange) throws IOException {
    URI uri = exchange.getRequestURI();
    String path = uri.getRawPath();
    String[] segments = path.split("/", -1);
    Query query = Query.parse(uri.getRawQuery());
    Routes serving = routes;
    String first = segments.length > 1 ? segments[1] : "";
    boolean single = segments.length == 2;
    boolean withParameter = segments.length == 3;
    String method = exchange.getRequestMethod();
    if (isConfig(uri) && method.equals("POST")) {
      byte[] body = exchange.getRequestBody().readNBytes(4096);
      return serving.configWriter.post(
          body,
          exchange.getRequestHeaders().getFirst("Content-Type"),
          exchange.getRemoteAddress().getAddress().getHostAddress());
    }
    String asset =
        path.equals("/") ? "index.html" : path.startsWith("/console/") ? path.substring(9) : null;
    Supplier<Reply> answer;
    if (asset != null && ConsoleAssets.serves(asset)) {
      answer = () -> serving.assets.get(asset);
    } else if (single && first.equals("health")) {
      answer = serving::health;
    } else if (single && first.equals("metrics")) {
      answer = serving.prometheus::get;
    } else if (single && first.equals("stats")) {
      answer = () -> serving.stats.get(query);
    } else if (single && first.equals("config")) {
      answer = serving::config;
    } else if (single && first.equals("instances")) {
      answer = serving::instances;
    } else if (single && first.equals("rates")) {
      answer = () -> serving.rates.get(query);
    } else if (single && first.equals("hot")) {
      answer = () -> serving.hot.get(query);
    } else if (single && first.equals("switches")) {
      answer = serving.switchboard::get;
    } else if (withParameter && first.equals("inodes")) {
      answer = () -> serving.inodes.get(Query.decode(segments[2]), query);
    } else if (withParameter && first.equals("clients")) {
      answer = () -> serving.clients.get(Query.decode(segments[2]), query);
    } else {
      throw new HttpProblem(
          404, "no such endpoint: " + uri.getRawPath() + " (known: " + ENDPOINTS + ")");
    }
    if (!method.equals("GET")) {
      throw new HttpProblem(
          405,
          method
              + " is not allowed on "
              + uri.getRawPath()
              + ": the operator endpoint only reads (GET), except POST /config from the console when "
              + HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG
              + " is true; change options with `upcall config set`");
    }
    return answer.get();
  }

  /** The answers, once there is an application to ask. */
  private static final class Routes {
    private final KafkaStreams streams;
    private final Cluster cluster;
    private final Switches startup;
    private final Supplier<Switches> applied;
    private final InodeLookup inodes;
    private final ClientLookup clients;
    private final StatsCollector stats;
    private final PrometheusScrape prometheus;
    private final ConsoleAssets assets = new ConsoleAssets();
    private final RatesCollector rates;
    private final HotInodes hot;
    private final ConfigWriter configWriter;
    private final SwitchboardCollector switchboard;
    private final ScheduledExecutorService sampling;

    Routes(
        KafkaStreams streams,
        HostInfo self,
        Switches startup,
        Supplier<Switches> applied,
        TopicAccess topics,
        boolean allowConfigChanges) {
      this.streams = streams;
      this.cluster = new Cluster(streams, self);
      this.startup = startup;
      this.applied = applied;
      Peers peers = new Peers();
      RequestClock clock = new RequestClock(System::currentTimeMillis);
      inodes = new InodeLookup(streams, self, peers, applied, clock);
      clients = new ClientLookup(streams, cluster, peers, applied, clock);
      stats = new StatsCollector(streams, cluster, peers, applied, clock);
      prometheus = new PrometheusScrape(streams);
      RateSampler sampler =
          new RateSampler(
              streams::metrics,
              topics.topics().fops(),
              System::currentTimeMillis,
              SAMPLE_SECONDS,
              SAMPLES);
      rates = new RatesCollector(cluster, peers, sampler, Cluster.STATE_TOPIC_SUFFIX);
      hot = new HotInodes(streams, cluster, peers, applied, clock, SAMPLE_SECONDS);
      configWriter = new ConfigWriter(allowConfigChanges, topics, Peers.name(self));
      switchboard = new SwitchboardCollector(cluster, peers, this::appliedConfig, configWriter);
      sampling =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "upcall-console-sampler");
                thread.setDaemon(true);
                return thread;
              });
      sampling.scheduleAtFixedRate(
          () -> {
            try {
              sampler.sample();
              hot.sampleChanges();
            } catch (RuntimeException e) {
              log.debug("console sample failed: {}", e.toString());
            }
          },
          0,
          SAMPLE_SECONDS,
          TimeUnit.SECONDS);
    }

    void close() {
      sampling.shutdownNow();
      configWriter.close();
      prometheus.close();
    }

    Reply health() {
      KafkaStreams.State state = streams.state();
      Health health = new Health(Peers.name(cluster.selfHost()), state.name());
      return Reply.json(state == KafkaStreams.State.RUNNING ? 200 : 503, health);
    }

    Reply config() {
      return Reply.ok(appliedConfig());
    }

    AppliedConfig appliedConfig() {
      requireQueryable(streams);
      return new AppliedConfig(
          Peers.name(cluster.selfHost()), values(applied.get()), values(startup));
    }

    Reply instances() {
      return Reply.ok(
          new Instances(
              Peers.name(cluster.selfHost()),
              cluster.members().stream().map(Cluster.Member::view).toList()));
    }

    private static Map<String, String> values(Switches switches) {
      Map<String, String> values = new LinkedHashMap<>();
      SWITCHES.forEach(option -> values.put(option, switches.valueOf(option)));
      return values;
    }
  }
}
