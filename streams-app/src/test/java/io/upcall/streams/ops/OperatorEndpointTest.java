package io.upcall.streams.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator endpoint of two instances of one application sharing 4 partitions, on a real broker: configure
 * (two instances, each with its own state and port), produce fops, ask either instance.
 */
class OperatorEndpointTest {
  private static final int PARTITIONS = 4;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir static Path stateDirs;

  private static UpcallTopics topics;
  private static KafkaProducer<String, FopRecord> fops;
  private static final List<UpcallStreamsApp> apps = new ArrayList<>();
  private static List<URI> endpoints;

  @BeforeAll
  static void twoInstancesShareThePartitions() {
    topics = kafka.uniqueTopics(PARTITIONS);
    String applicationId = kafka.uniqueName("ops");
    // The second keeps its tracked pairs on the heap: the endpoint reads either kind of store,
    // and instances of one application may differ in it.
    apps.add(start(applicationId, "first", "rocksdb"));
    apps.add(start(applicationId, "second", "in-memory"));
    endpoints = apps.stream().map(app -> app.operatorEndpoint().orElseThrow()).toList();
    fops =
        new KafkaProducer<>(
            kafka.clientProperties(),
            new StringSerializer(),
            UpcallSerdes.fopRecord().serializer());
    for (URI endpoint : endpoints) {
      Eventually.within(
          WAIT,
          "both instances own inode partitions, as " + endpoint + " sees them",
          () -> read(get(endpoint, "/instances"), Instances.class),
          instances ->
              instances.instances().size() == 2
                  && instances.instances().stream()
                      .allMatch(member -> !member.activePartitions().isEmpty())
                  && instances.instances().stream()
                          .mapToInt(member -> member.activePartitions().size())
                          .sum()
                      == PARTITIONS);
      Eventually.within(
          WAIT,
          endpoint + " healthy",
          () -> get(endpoint, "/health"),
          answer -> answer.status() == 200);
    }
  }

  @AfterAll
  static void stop() {
    if (fops != null) {
      fops.close();
    }
    apps.forEach(UpcallStreamsApp::close);
  }

  @Test
  void anInodeOnEitherInstanceIsFoundThroughEitherInstance() throws Exception {
    long now = System.currentTimeMillis();
    Set<String> owners = new HashSet<>();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      Gfid inode = gfidOnPartition(partition);
      send(fop(Fop.LOOKUP, "reader", inode, now - 2_000));
      send(fop(Fop.WRITE, "writer", inode, now - 1_000));
      for (URI endpoint : endpoints) {
        InodeState state =
            read(
                Eventually.within(
                    WAIT,
                    "inode on partition " + partition + " via " + endpoint,
                    () -> get(endpoint, "/inodes/" + Gfids.format(inode)),
                    // The endpoint reads the tracked clients and the latest change one after the
                    // other while the stream thread writes them one after the other, so an answer
                    // may hold either without the other: wait for both.
                    answer ->
                        answer.status() == 200
                            && answer.body().contains("\"client\":\"writer\"")
                            && answer.body().contains("\"originator\":\"writer\"")),
                InodeState.class);
        assertThat(state.gfid()).isEqualTo(Gfids.format(inode));
        assertThat(state.partition()).isEqualTo(partition);
        assertThat(state.servedBy()).isEqualTo(InodeState.ACTIVE);
        assertThat(state.timeoutSeconds()).isEqualTo(60);
        assertThat(state.freshAt().basis()).isEqualTo(FreshAt.NOW);
        assertThat(state.clients())
            .extracting(InodeState.TrackedClient::client, InodeState.TrackedClient::fresh)
            .containsExactly(tuple("reader", true), tuple("writer", true));
        assertThat(state.clients().get(0).lastAccessSecond()).isEqualTo((now - 2_000) / 1000);
        assertThat(state.latestChange().flags()).containsExactly("SIZE", "TIMES");
        assertThat(state.latestChange().originator()).isEqualTo("writer");
        owners.add(state.instance());
      }
    }
    assertThat(owners).as("the inodes live on both instances").hasSize(2);
  }

  @Test
  void aStandbyReplicaAnswersWhenAskedForItsCopyAndSaysSo() throws Exception {
    long now = System.currentTimeMillis();
    Gfid inode = gfidOnPartition(3);
    send(fop(Fop.LOOKUP, "replicated", inode, now));
    InodeState active =
        read(
            Eventually.within(
                WAIT,
                "the inode on its owner",
                () -> get(endpoints.get(0), "/inodes/" + Gfids.format(inode)),
                answer -> answer.status() == 200),
            InodeState.class);
    URI standby =
        endpoints.stream()
            .filter(endpoint -> !endpoint.getAuthority().equals(active.instance()))
            .findFirst()
            .orElseThrow();

    // What the owner's endpoint falls back to when the owner cannot answer: the standby's own copy.
    InodeState copy =
        read(
            Eventually.within(
                WAIT,
                "the standby's copy on " + standby,
                () -> get(standby, "/inodes/" + Gfids.format(inode) + "?local=standby"),
                answer -> answer.status() == 200),
            InodeState.class);

    assertThat(copy.servedBy()).isEqualTo(InodeState.STANDBY);
    assertThat(copy.instance()).isEqualTo(standby.getAuthority());
    assertThat(copy.partition()).isEqualTo(3);
    assertThat(copy.clients())
        .extracting(InodeState.TrackedClient::client)
        .containsExactly("replicated");
    Instances instances = read(get(standby, "/instances"), Instances.class);
    assertThat(instances.instances())
        .filteredOn(member -> member.instance().equals(standby.getAuthority()))
        .singleElement()
        .satisfies(member -> assertThat(member.standbyPartitions()).contains(3));
  }

  @Test
  void freshnessIsJudgedAtTheRequestedEventTime() throws Exception {
    long then = System.currentTimeMillis() - 10_000;
    Gfid inode = gfidOnPartition(1);
    send(fop(Fop.LOOKUP, "early", inode, then));
    String path = "/inodes/" + Gfids.format(inode) + "?at=" + (then + 60_000);
    InodeState state =
        read(
            Eventually.within(
                WAIT,
                "inode tracked",
                () -> get(endpoints.get(0), path),
                answer -> answer.status() == 200),
            InodeState.class);

    assertThat(state.freshAt().basis()).isEqualTo(FreshAt.AT);
    assertThat(state.freshAt().second()).isEqualTo((then + 60_000) / 1000);
    assertThat(state.clients())
        .singleElement()
        .satisfies(client -> assertThat(client.fresh()).isFalse());
  }

  @Test
  void aClientsInodesAreGatheredFromEveryInstance() throws Exception {
    long now = System.currentTimeMillis();
    List<String> visited = new ArrayList<>();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      Gfid inode = gfidOnPartition(partition);
      send(fop(Fop.LOOKUP, "wanderer/1 +x", inode, now));
      visited.add(Gfids.format(inode));
    }
    String path = "/clients/" + "wanderer%2F1%20+x";
    ClientInodes answer =
        read(
            Eventually.within(
                WAIT,
                "the wanderer's 4 inodes",
                () -> get(endpoints.get(1), path),
                reply ->
                    reply.status() == 200
                        && readUnchecked(reply, ClientInodes.class).inodes().size() == PARTITIONS),
            ClientInodes.class);

    assertThat(answer.client()).isEqualTo("wanderer/1 +x");
    assertThat(answer.complete()).isTrue();
    assertThat(answer.inodes())
        .extracting(ClientInodes.Inode::gfid)
        .containsExactlyInAnyOrderElementsOf(visited);
    assertThat(answer.inodes())
        .extracting(ClientInodes.Inode::instance)
        .containsAll(names(endpoints));
    assertThat(answer.scans())
        .hasSize(2)
        .allSatisfy(
            scan -> {
              assertThat(scan.error()).isNull();
              assertThat(scan.partitions()).isNotEmpty();
            });
  }

  @Test
  void statsCountTheTrackedStateOfEveryInstance() throws Exception {
    long now = System.currentTimeMillis();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      send(fop(Fop.LOOKUP, "counted", gfidOnPartition(partition), now));
    }
    StatsReport stats =
        read(
            Eventually.within(
                WAIT,
                "4 more tracked pairs",
                () -> get(endpoints.get(0), "/stats"),
                reply ->
                    reply.status() == 200
                        && readUnchecked(reply, StatsReport.class).total().trackedPairs()
                            >= PARTITIONS),
            StatsReport.class);

    assertThat(stats.complete()).isTrue();
    assertThat(stats.instances())
        .extracting(InstanceStats::instance)
        .containsExactlyInAnyOrderElementsOf(names(endpoints));
    assertThat(stats.instances())
        .allSatisfy(
            instance -> {
              assertThat(instance.state()).isEqualTo("RUNNING");
              assertThat(instance.trackedInodes()).isPositive();
              assertThat(instance.stores())
                  .containsKeys("upcall-tracked-clients", "upcall-inode-meta", "upcall-tx-ids");
            });
    assertThat(stats.total().activePartitions()).containsExactly(0, 1, 2, 3);
    assertThat(stats.total().trackedPairs()).isGreaterThanOrEqualTo(stats.total().trackedInodes());
  }

  private static String estimatedKeysOf(String rocksdbStore) {
    return "kafka_stream_state_estimate_num_keys{kafka_version=\"4.4.0\",rocksdb_state_id=\""
        + rocksdbStore
        + "\"";
  }

  @Test
  void metricsCarryTheCountersThatMoved() throws Exception {
    long now = System.currentTimeMillis();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      Gfid inode = gfidOnPartition(partition);
      send(fop(Fop.LOOKUP, "watched", inode, now));
      send(fop(Fop.WRITE, "changer", inode, now + 1));
    }
    // The second instance keeps its pairs on the heap: RocksDB's key estimate is there for the
    // inode state only.
    List<String> rocksdbStores = List.of("upcall-tracked-clients", "upcall-inode-meta");
    for (int i = 0; i < endpoints.size(); i++) {
      URI endpoint = endpoints.get(i);
      String keys = estimatedKeysOf(rocksdbStores.get(i));
      // Micrometer binds a store's metrics on a later refresh than the one that first shows the
      // stream counters.
      String text =
          Eventually.within(
              WAIT,
              "invalidations counted and store metrics bound on " + endpoint,
              () -> get(endpoint, "/metrics").body(),
              body ->
                  sum(body, "kafka_stream_upcall_invalidations_total") >= 1 && body.contains(keys));
      assertThat(sum(text, "kafka_stream_thread_process_total")).isPositive();
      assertThat(text)
          .contains(
              "jvm_memory_used_bytes", "kafka_consumer_fetch_manager_records_consumed_total", keys);
    }
  }

  @Test
  void badRequestsGetTheRightStatusAndReason() throws Exception {
    URI endpoint = endpoints.get(0);
    Answer malformed = get(endpoint, "/inodes/not-a-gfid");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(read(malformed, Problem.class).error()).contains("malformed gfid 'not-a-gfid'");

    String unknown = UUID.randomUUID().toString();
    Answer missing = get(endpoint, "/inodes/" + unknown);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(read(missing, Problem.class).error())
        .contains("gfid " + unknown + " is not tracked");

    Answer badTime = get(endpoint, "/inodes/" + unknown + "?at=yesterday");
    assertThat(badTime.status()).isEqualTo(400);
    assertThat(read(badTime, Problem.class).error()).contains("malformed at 'yesterday'");

    Answer nowhere = get(endpoint, "/inode/" + unknown);
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(read(nowhere, Problem.class).error()).contains("no such endpoint: /inode/");

    HttpResponse<String> post =
        HTTP.send(
            HttpRequest.newBuilder(endpoint.resolve("/stats"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET");
    assertThat(JSON.readValue(post.body(), Problem.class).error())
        .contains("POST is not allowed on /stats");
  }

  @Test
  void theConsoleAndItsFilesComeFromTheJarWithTheirContentTypes() throws Exception {
    URI endpoint = endpoints.get(0);
    Map<String, String> types =
        Map.of(
            "/",
            "text/html",
            "/console/console.js",
            "text/javascript",
            "/console/console.css",
            "text/css",
            "/console/uplot/uPlot.iife.min.js",
            "text/javascript",
            "/console/uplot/uPlot.min.css",
            "text/css");
    for (Map.Entry<String, String> file : types.entrySet()) {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(endpoint.resolve(file.getKey())).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(file.getKey()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .as(file.getKey())
          .hasValueSatisfying(type -> assertThat(type).startsWith(file.getValue()));
      assertThat(response.body()).as(file.getKey()).isNotBlank();
    }
    assertThat(get(endpoint, "/").body())
        .contains("<title>Upcall console</title>", "/console/uplot/uPlot.iife.min.js");
    assertThat(get(endpoint, "/console/../pom.xml").status()).isEqualTo(404);
    assertThat(get(endpoint, "/console/OpsServer.class").status()).isEqualTo(404);
  }

  @Test
  void theConsolesEndpointsAnswerForEveryInstanceAndSwitchesAreReadOnlyByDefault()
      throws Exception {
    URI endpoint = endpoints.get(1);
    RatesReport rates = read(get(endpoint, "/rates"), RatesReport.class);
    assertThat(rates.instances())
        .extracting(InstanceRates::instance)
        .containsExactlyInAnyOrderElementsOf(names(endpoints));
    assertThat(rates.complete()).isTrue();
    HotInodesReport hot = read(get(endpoint, "/hot"), HotInodesReport.class);
    assertThat(hot.scans())
        .extracting(HotInodesReport.Scan::instance)
        .containsExactlyInAnyOrderElementsOf(names(endpoints));
    Switchboard switches = read(get(endpoint, "/switches"), Switchboard.class);
    assertThat(switches.instances())
        .extracting(AppliedConfig::instance)
        .containsExactlyInAnyOrderElementsOf(names(endpoints));
    assertThat(switches.changesAllowed()).isFalse();
    assertThat(switches.topic()).isEqualTo(topics.config());

    HttpResponse<String> post =
        HTTP.send(
            HttpRequest.newBuilder(endpoint.resolve("/config"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"option\": \"cache-invalidation\", \"value\": \"off\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(403);
    assertThat(JSON.readValue(post.body(), Problem.class).error())
        .contains(HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG + "=true");
  }

  @Test
  void healthAndConfigDescribeTheInstance() throws Exception {
    for (URI endpoint : endpoints) {
      Answer health = get(endpoint, "/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(read(health, Health.class))
          .isEqualTo(new Health(endpoint.getAuthority(), "RUNNING"));

      AppliedConfig config = read(get(endpoint, "/config"), AppliedConfig.class);
      assertThat(config.applied())
          .containsEntry("cache-invalidation", "on")
          .containsEntry("cache-invalidation-timeout", "60");
      assertThat(config.startup()).isEqualTo(config.applied());
    }
  }

  private static UpcallStreamsApp start(
      String applicationId, String stateDir, String trackedPairsStore) {
    Map<String, Object> props = new HashMap<>();
    props.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(UpcallStreamsConfig.TOPIC_PREFIX_CONFIG, prefixOf(topics));
    props.put(TopicSettings.PARTITIONS_CONFIG, PARTITIONS);
    props.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDirs.resolve(stateDir).toString());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
    props.put(HttpSettings.PORT_CONFIG, 0);
    props.put(HttpSettings.BIND_ADDRESS_CONFIG, "127.0.0.1");
    props.put(UpcallStreamsConfig.TRACKED_PAIRS_STORE_CONFIG, trackedPairsStore);
    props.put(UpcallStreamsConfig.MAX_TRACKED_PAIRS_CONFIG, 100_000);
    return UpcallStreamsApp.start(new UpcallStreamsConfig(props));
  }

  static String prefixOf(UpcallTopics topics) {
    return topics
        .fops()
        .substring(0, topics.fops().length() - UpcallTopics.defaults().fops().length());
  }

  /** A gfid whose key Kafka's default partitioner puts on {@code partition} (of upcall.fops and of the state). */
  static Gfid gfidOnPartition(int partition) {
    while (true) {
      Gfid gfid = Gfids.of(UUID.randomUUID());
      byte[] key = Gfids.format(gfid).getBytes(StandardCharsets.UTF_8);
      if (BuiltInPartitioner.partitionForKey(key, PARTITIONS) == partition) {
        return gfid;
      }
    }
  }

  private static FopRecord fop(Fop fop, String client, Gfid gfid, long eventTimeMs) {
    return FopRecord.newBuilder()
        .setVolume("vol")
        .setBrick("brick-1")
        .setFop(fop)
        .setClient(client)
        .setGfid(gfid)
        .setEventTimeMs(eventTimeMs)
        .build();
  }

  private static void send(FopRecord fop) throws Exception {
    fops.send(
            new ProducerRecord<>(
                topics.fops(), null, fop.getEventTimeMs(), Gfids.format(fop.getGfid()), fop))
        .get();
  }

  private static List<String> names(List<URI> endpoints) {
    return endpoints.stream().map(URI::getAuthority).toList();
  }

  /** The sum of every sample of {@code metric} (all tag sets) in Prometheus text. */
  private static double sum(String prometheusText, String metric) {
    Matcher samples =
        Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*})? (\\S+)$")
            .matcher(prometheusText);
    double sum = 0;
    while (samples.find()) {
      sum += Double.parseDouble(samples.group(2));
    }
    return sum;
  }

  record Answer(int status, String body) {}

  static Answer get(URI endpoint, String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(endpoint + path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static <T> T read(Answer answer, Class<T> type) {
    assertThat(answer.status()).as("status of %s", answer.body()).isBetween(200, 499);
    return readUnchecked(answer, type);
  }

  static <T> T readUnchecked(Answer answer, Class<T> type) {
    try {
      return JSON.readValue(answer.body(), type);
    } catch (IOException e) {
      throw new IllegalStateException(
          "unreadable " + type.getSimpleName() + ": " + answer.body(), e);
    }
  }
}
