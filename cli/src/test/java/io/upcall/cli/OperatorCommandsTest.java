package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.Xattr;
import io.upcall.cli.CliRunner.Result;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.streams.ops.HttpSettings;
import io.upcall.streams.ops.InodeState;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import picocli.CommandLine;

/**
 * The operator commands against two streams instances sharing 4 partitions on the embedded broker: configure (two
 * instances with their own state and operator ports), produce fops, run the commands as an operator would.
 */
class OperatorCommandsTest {
  private static final int PARTITIONS = 4;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir static Path stateDirs;

  private static UpcallTopics topics;
  private static String applicationId;
  private static final List<UpcallStreamsApp> apps = new ArrayList<>();
  private static List<String> servers;
  private static KafkaProducer<String, FopRecord> fops;

  @BeforeAll
  static void twoInstancesShareThePartitions() {
    topics = kafka.uniqueTopics(PARTITIONS);
    applicationId = kafka.uniqueName("operate");
    apps.add(start("first"));
    apps.add(start("second"));
    servers = apps.stream().map(app -> app.operatorEndpoint().orElseThrow().toString()).toList();
    fops =
        new KafkaProducer<>(
            kafka.clientProperties(),
            new StringSerializer(),
            UpcallSerdes.fopRecord().serializer());
    eventually(
        "both instances own partitions",
        () -> CliRunner.once("stats", "--server", servers.get(0)),
        result ->
            result.exit() == 0
                && servers.stream().allMatch(server -> activeOn(result.out(), server)));
  }

  @AfterAll
  static void stop() {
    if (fops != null) {
      fops.close();
    }
    apps.forEach(UpcallStreamsApp::close);
  }

  @Test
  void configSetChangesWhoIsNotifiedWithoutARestart() throws Exception {
    long t = System.currentTimeMillis();
    Gfid before = Gfids.of(UUID.randomUUID());
    send(fop(Fop.LOOKUP, "idle-under-60", before, t));
    send(fop(Fop.WRITE, "writer", before, t + 6_000));
    JsonNode toldBefore = tailOne("idle-under-60");
    assertThat(toldBefore.get("gfid").asText()).isEqualTo(Gfids.format(before));
    assertThat(toldBefore.get("expireTimeSeconds").asInt()).isEqualTo(60);

    Result set =
        CliRunner.once(
            "config",
            "set",
            "cache-invalidation-timeout",
            "5",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix());
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(set.out()).contains("set cache-invalidation-timeout = 5 in " + topics.config());
    Result applied =
        eventually(
            "both instances apply T = 5",
            () ->
                CliRunner.once(
                    "config",
                    "get",
                    "cache-invalidation-timeout",
                    "--json",
                    "--server",
                    servers.get(0),
                    "--bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--topic-prefix",
                    prefix()),
            result -> result.exit() == 0 && appliedEverywhere(result.out(), "5"));
    assertThat(applied.json().get("topic").get("cache-invalidation-timeout").get("value").asText())
        .isEqualTo("5");
    Result table =
        CliRunner.once(
            "config",
            "get",
            "--server",
            servers.get(0),
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix());
    assertThat(table.out())
        .containsPattern("cache-invalidation-timeout +5 +5 +5")
        .containsPattern("cache-invalidation +\\(not set\\) +on +on");

    Gfid after = Gfids.of(UUID.randomUUID());
    long u = System.currentTimeMillis();
    send(fop(Fop.LOOKUP, "idle-6s", after, u));
    send(fop(Fop.WRITE, "writer", after, u + 6_000)); // 6 s idle: no longer fresh under T = 5
    send(fop(Fop.LOOKUP, "idle-6s", after, u + 7_000));
    send(fop(Fop.WRITE, "writer", after, u + 8_000)); // 1 s idle: fresh
    JsonNode toldAfter = tailOne("idle-6s");
    assertThat(toldAfter.get("ts").asLong())
        .as("the first invalidation idle-6s got")
        .isEqualTo(u + 8_000);
    assertThat(toldAfter.get("expireTimeSeconds").asInt()).isEqualTo(5);

    Result reset =
        CliRunner.once(
            "config",
            "set",
            "cache-invalidation-timeout",
            "60",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix());
    assertThat(reset.exit()).isZero();
    eventually(
        "both instances apply T = 60 again",
        () ->
            CliRunner.once(
                "config",
                "get",
                "cache-invalidation-timeout",
                "--json",
                "--server",
                servers.get(1),
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic-prefix",
                prefix()),
        result -> result.exit() == 0 && appliedEverywhere(result.out(), "60"));
  }

  @Test
  void inspectFindsAnInodeAndAClientThroughEitherInstance() throws Exception {
    long t = System.currentTimeMillis();
    List<String> inodes = new ArrayList<>();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      Gfid inode = gfidOnPartition(partition);
      send(fop(Fop.LOOKUP, "inspected", inode, t));
      send(fop(Fop.WRITE, "author", inode, t + 1_000));
      inodes.add(Gfids.format(inode));
    }
    for (String server : servers) {
      for (int partition = 0; partition < PARTITIONS; partition++) {
        String gfid = inodes.get(partition);
        Result inode =
            eventually(
                "inode " + gfid + " via " + server,
                () -> CliRunner.once("inspect", "inode", gfid, "--server", server),
                result -> result.exit() == 0 && result.out().contains("author"));
        assertThat(inode.out())
            .contains("inode " + gfid + "  partition " + partition + " on ", "(active)")
            .containsPattern("inspected +\\S+ +\\d+ +yes")
            .contains("latest change: SIZE|TIMES at ", " by author");
      }
    }
    Result json =
        CliRunner.once("inspect", "inode", inodes.get(2), "--json", "--server", servers.get(1));
    InodeState state = OpsEndpoint.JSON.readValue(json.out(), InodeState.class);
    assertThat(state.partition()).isEqualTo(2);
    assertThat(state.clients())
        .extracting(InodeState.TrackedClient::client)
        .containsExactly("author", "inspected");

    Result client =
        eventually(
            "the client's 4 inodes",
            () -> CliRunner.once("inspect", "client", "inspected", "--server", servers.get(0)),
            result -> result.exit() == 0 && result.out().contains("fresh on 4 inodes"));
    assertThat(client.out()).contains(inodes.toArray(String[]::new)).contains("on 2 instances");

    String unknown = UUID.randomUUID().toString();
    Result missing = CliRunner.once("inspect", "inode", unknown, "--server", servers.get(1));
    assertThat(missing.exit()).isEqualTo(UpcallCli.EXIT_FAILURE);
    assertThat(missing.err()).startsWith("upcall: gfid " + unknown + " is not tracked");
  }

  @Test
  void statsPrintsEveryInstanceAndTheTotal() {
    Result stats = CliRunner.once("stats", "--server", servers.get(1));

    assertThat(stats.exit()).as(stats.err()).isZero();
    assertThat(stats.out())
        .contains(
            "INSTANCE",
            "INVALIDATIONS/S",
            "DLQ",
            "total",
            "2 instances",
            "upcall-tracked-clients",
            "upcall-inode-meta",
            "upcall-tx-ids");
    servers.forEach(
        server ->
            assertThat(stats.out()).contains(URI.create(server).getAuthority() + "  RUNNING"));
  }

  @Test
  void topicsShowPartitionsEndOffsetsAndTheStreamsAppsLag() throws Exception {
    send(fop(Fop.LOOKUP, "counted", Gfids.of(UUID.randomUUID()), System.currentTimeMillis()));
    Result topicsTable =
        eventually(
            "the app caught up on " + topics.fops(),
            () ->
                CliRunner.once(
                    "topics",
                    "--bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--topic-prefix",
                    prefix(),
                    "--application-id",
                    applicationId),
            result ->
                result.exit() == 0
                    && result
                        .out()
                        .matches(
                            "(?s).*\\n"
                                + Pattern.quote(topics.fops())
                                + " +4 +([1-9]\\d*) +\\1 +0\\n.*"));

    assertThat(topicsTable.out())
        .contains(
            "TOPIC",
            "PARTITIONS",
            "END OFFSETS",
            "LAG",
            topics.invalidations(),
            topics.config(),
            applicationId + "-inode-events-repartition",
            "consumer group " + applicationId + ": Stable, 2 members");
  }

  @Test
  void topicsEnsureCreatesTheTopicsOfANewVolumeOnce() {
    String volume = kafka.uniqueName("vol") + ".";
    Result created =
        CliRunner.once(
            "topics",
            "--ensure",
            "--partitions",
            "2",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            volume);
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out())
        .contains(
            "created " + volume + "upcall.fops: 2 partitions",
            "created " + volume + "upcall.config");

    Result again =
        CliRunner.once(
            "topics",
            "--ensure",
            "--partitions",
            "2",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            volume);
    assertThat(again.out().lines())
        .hasSize(UpcallTopics.defaults().all().size())
        .allSatisfy(line -> assertThat(line).startsWith("up to date "));
  }

  @Test
  void tailDecodesAClientsInvalidationsAndMarksAndSkipsWhatDoesNotDecode() throws Exception {
    UpcallTopics own = kafka.uniqueTopics(PARTITIONS);
    String prefix = prefixOf(own);
    int partition =
        BuiltInPartitioner.partitionForKey("alice".getBytes(StandardCharsets.UTF_8), PARTITIONS);
    String neighbour = uidOnPartition(partition, "bob");
    Gfid inode = Gfids.of(UUID.randomUUID());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  own.invalidations(), "alice", "not avro".getBytes(StandardCharsets.UTF_8)))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  own.invalidations(),
                  partition,
                  "1_0",
                  UpcallSerdes.progressMark()
                      .serializer()
                      .serialize(own.invalidations(), new ProgressMark("1_0", 4, 1_000L, 2_000L))))
          .get();
      producer
          .send(
              new ProducerRecord<>(own.invalidations(), neighbour, invalidation(neighbour, inode)))
          .get();
      producer
          .send(new ProducerRecord<>(own.invalidations(), "alice", invalidation("alice", inode)))
          .get();
    }

    Result alice =
        CliRunner.once(
            "tail",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix,
            "--client",
            "alice",
            "--from-beginning",
            "--marks",
            "--max",
            "1");
    assertThat(alice.exit()).isZero();
    List<String> lines = alice.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .contains("\"mark\":\"1_0\"", "\"partition\":" + partition, "\"watermarkMs\":1000");
    assertThat(lines.get(1))
        .contains(
            "\"client\":\"alice\"",
            "\"gfid\":\"" + Gfids.format(inode) + "\"",
            "\"flags\":[\"MODE\",\"TIMES\"]",
            "\"xattrs\":[\"user.a\"]",
            "\"brick\":\"b1\"");
    assertThat(alice.err())
        .startsWith(
            "upcall tail: skipped a record that does not decode at "
                + own.invalidations()
                + "-"
                + partition
                + "@0")
        .hasLineCount(1);

    Result everyone =
        CliRunner.once(
            "tail",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            prefix,
            "--from-beginning",
            "--brief",
            "--max",
            "2");
    assertThat(everyone.out().lines())
        .hasSize(2)
        .anySatisfy(line -> assertThat(line).contains("\"client\":\"" + neighbour + "\""))
        .anySatisfy(
            line -> assertThat(line).contains("\"client\":\"alice\"").doesNotContain("\"brick\""));
  }

  /** The first invalidation {@code client} got, as {@code upcall tail --client} prints it. */
  private static JsonNode tailOne(String client) throws Exception {
    CliRunner runner = new CliRunner();
    CommandLine cli = runner.commandLine();
    TailCommand tail = cli.getSubcommands().get("tail").getCommand();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute(
                    "tail",
                    "--bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--topic-prefix",
                    prefix(),
                    "--client",
                    client,
                    "--from-beginning",
                    "--max",
                    "1"));
    try {
      assertThat(exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(runner.err()).isZero();
    } finally {
      tail.requestStop();
    }
    return OpsEndpoint.JSON.readTree(runner.out());
  }

  private static boolean appliedEverywhere(String json, String timeout) {
    JsonNode instances = Result.parse(json).get("instances");
    if (instances.size() != 2) {
      return false;
    }
    for (JsonNode instance : instances) {
      if (!timeout.equals(instance.get("applied").get("cache-invalidation-timeout").asText())) {
        return false;
      }
    }
    return true;
  }

  private static boolean activeOn(String statsTable, String server) {
    return statsTable
        .lines()
        .anyMatch(
            line ->
                line.startsWith(URI.create(server).getAuthority() + "  RUNNING")
                    && !line.matches(".*RUNNING +- .*"));
  }

  private static UpcallStreamsApp start(String stateDir) {
    Map<String, Object> props = new HashMap<>();
    props.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(UpcallStreamsConfig.TOPIC_PREFIX_CONFIG, prefix());
    props.put(TopicSettings.PARTITIONS_CONFIG, PARTITIONS);
    props.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDirs.resolve(stateDir).toString());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    props.put(HttpSettings.PORT_CONFIG, 0);
    props.put(HttpSettings.BIND_ADDRESS_CONFIG, "127.0.0.1");
    return UpcallStreamsApp.start(new UpcallStreamsConfig(props));
  }

  private static String prefix() {
    return prefixOf(topics);
  }

  private static String prefixOf(UpcallTopics topics) {
    return topics
        .fops()
        .substring(0, topics.fops().length() - UpcallTopics.defaults().fops().length());
  }

  private static Gfid gfidOnPartition(int partition) {
    while (true) {
      Gfid gfid = Gfids.of(UUID.randomUUID());
      if (BuiltInPartitioner.partitionForKey(
              Gfids.format(gfid).getBytes(StandardCharsets.UTF_8), PARTITIONS)
          == partition) {
        return gfid;
      }
    }
  }

  private static String uidOnPartition(int partition, String base) {
    for (int n = 0; ; n++) {
      String uid = base + "-" + n;
      if (BuiltInPartitioner.partitionForKey(uid.getBytes(StandardCharsets.UTF_8), PARTITIONS)
          == partition) {
        return uid;
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

  private static byte[] invalidation(String client, Gfid gfid) {
    Invalidation invalidation =
        Invalidation.newBuilder()
            .setClient(client)
            .setGfid(gfid)
            .setFlags(UpcallFlag.mask(UpcallFlag.MODE, UpcallFlag.TIMES))
            .setVolume("vol")
            .setXattrs(List.of(new Xattr("user.a", null)))
            .setExpireTimeSeconds(60)
            .setEventTimeMs(1_500L)
            .setBrick("b1")
            .setCauseFopId("fop-1")
            .build();
    return UpcallSerdes.invalidation().serializer().serialize("t", invalidation);
  }

  private static <T> T eventually(String what, Supplier<T> value, Predicate<T> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      T current = value.get();
      if (condition.test(current)) {
        return current;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionFailedError("not within " + WAIT + ": " + what + "; last: " + current);
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }
}
