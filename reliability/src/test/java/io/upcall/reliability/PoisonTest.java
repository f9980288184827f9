package io.upcall.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 garbage and contract-breaking records are mixed into the fop topic during continuous load: every one lands
 * in the dead-letter topic with its reason, every valid record around them is processed as docs/semantics.md
 * requires, and the app stays RUNNING throughout.
 */
@Tag("slow")
class PoisonTest {
  private static final int POISON = 1_000;
  private static final String POISON_PREFIX = "poison-";

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir Path work;

  @Test
  void everyPoisonRecordIsDeadLetteredWithItsReasonAndEveryValidRecordAroundItIsProcessed(
      TestReporter reporter) throws Exception {
    UpcallTopics topics = kafka.uniqueTopics();
    String applicationId = kafka.uniqueName("poison");
    UpcallStreamsApp app =
        UpcallStreamsApp.start(
            new UpcallStreamsConfig(
                StreamsSettings.of(
                    kafka.bootstrapServers(),
                    applicationId,
                    topics,
                    StreamsConfig.EXACTLY_ONCE_V2,
                    work.resolve("state"))));
    SteadyLoad load = null;
    List<String> statesSeen = new ArrayList<>();
    try {
      assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
      load =
          SteadyLoad.start(
              SteadyLoad.smallVolume(51).build(),
              1_000,
              true,
              () ->
                  BrickPublisher.builder()
                      .bootstrapServers(kafka.bootstrapServers())
                      .topics(topics)
                      .heartbeatInterval(Duration.ofMillis(200)));
      SteadyLoad running = load;
      Eventually.within(
          Duration.ofSeconds(30), "load under way", () -> running.acknowledged() > 1_000);

      Map<String, Integer> injected =
          injectPoison(topics.fops(), () -> statesSeen.add(app.state().name()));
      Eventually.within(
          Duration.ofSeconds(30),
          "more load after the poison",
          () -> running.acknowledged() > 8_000);
      load.close();
      Drained.await(kafka.clientProperties(), applicationId, topics.fops(), Duration.ofSeconds(90));

      List<ConsumerRecord<byte[], byte[]>> dead =
          TopicLog.read(kafka.clientProperties(), topics.fopsDlq());
      Map<String, Long> reasons =
          dead.stream()
              .collect(
                  Collectors.groupingBy(
                      record -> kindOf(header(record, "upcall.dlq.reason")),
                      TreeMap::new,
                      Collectors.counting()));
      List<SpecOracle.Logged> valid =
          TopicLog.fops(kafka.clientProperties(), topics.fops()).stream()
              .filter(
                  logged ->
                      logged.fop().getFopId() == null
                          || !logged.fop().getFopId().startsWith(POISON_PREFIX))
              .toList();
      Comparison result =
          Comparison.of(
              SpecOracle.expected(valid, StreamsSettings.TIMEOUT_SECONDS),
              TopicLog.invalidations(kafka.clientProperties(), topics.invalidations()));
      reporter.publishEntry(
          String.format(
              "poison: %d injected %s, %d dead-lettered by reason %s; %d valid fops "
                  + "around them; app states seen while injecting %s; %s",
              POISON,
              injected,
              dead.size(),
              reasons,
              valid.size(),
              statesSeen.stream().distinct().toList(),
              result.summary()));

      assertThat(dead).as("dead letters").hasSize(POISON);
      assertThat(dead)
          .allSatisfy(
              record -> {
                assertThat(header(record, "upcall.dlq.reason")).isNotBlank();
                assertThat(header(record, "upcall.dlq.topic")).isEqualTo(topics.fops());
                assertThat(header(record, "upcall.dlq.offset")).isNotBlank();
              });
      assertThat(statesSeen).containsOnly(KafkaStreams.State.RUNNING.name());
      assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(result.lost()).as("required invalidations never delivered").isEmpty();
      assertThat(result.duplicated())
          .as("invalidations beyond what docs/semantics.md requires or permits")
          .isEmpty();
    } finally {
      if (load != null) {
        load.close();
      }
      app.close();
    }
  }

  /** Sends the poison, a record every ~3 ms, checking the app's state as it goes; returns how many of each kind. */
  private static Map<String, Integer> injectPoison(String topic, Runnable sampleState)
      throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    Map<String, Integer> kinds = new TreeMap<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    Map<String, Object> config = kafka.clientProperties();
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < POISON; i++) {
        String kind = KINDS.get(i % KINDS.size());
        kinds.merge(kind, 1, Integer::sum);
        byte[] key = Gfids.format(Gfids.of(UUID.randomUUID())).getBytes(StandardCharsets.UTF_8);
        sent.add(producer.send(new ProducerRecord<>(topic, key, poison(kind, i, random))));
        if (i % 50 == 0) {
          sampleState.run();
          LockSupport.parkNanos(150_000_000L); // spread over the load, not one burst
        }
      }
      for (Future<RecordMetadata> ack : sent) {
        ack.get(30, TimeUnit.SECONDS);
      }
    }
    sampleState.run();
    return kinds;
  }

  private static final List<String> KINDS =
      List.of(
          "random bytes",
          "empty",
          "tombstone",
          "unknown fingerprint",
          "truncated fop",
          "an invalidation",
          "empty client",
          "UNKNOWN fop",
          "no event time",
          "CREATE without parent",
          "SETXATTR without xattrs",
          "negative nlink",
          "all-zero gfid");

  private static byte[] poison(String kind, int i, SplittableRandom random) {
    return switch (kind) {
      case "random bytes" -> {
        byte[] bytes = new byte[1 + random.nextInt(200)];
        random.nextBytes(bytes);
        yield bytes;
      }
      case "empty" -> new byte[0];
      case "tombstone" -> null;
      case "unknown fingerprint" -> {
        byte[] bytes = encode(valid(i).build());
        bytes[2] ^=
            (byte) 0xff; // the single-object header: C3 01, then the 8-byte schema fingerprint
        yield bytes;
      }
      case "truncated fop" -> {
        byte[] bytes = encode(valid(i).build());
        yield Arrays.copyOf(bytes, bytes.length / 2);
      }
      case "an invalidation" ->
          UpcallSerdes.invalidation()
              .serializer()
              .serialize(
                  "",
                  new Invalidation(
                      "client",
                      Gfids.of(UUID.randomUUID()),
                      0x8,
                      "vol",
                      null,
                      null,
                      null,
                      null,
                      null,
                      List.of(),
                      60,
                      System.currentTimeMillis(),
                      "brick",
                      POISON_PREFIX + i));
      case "empty client" -> encode(valid(i).setClient("").build());
      case "UNKNOWN fop" -> encode(valid(i).setFop(Fop.UNKNOWN).build());
      case "no event time" -> encode(valid(i).setEventTimeMs(0).build());
      case "CREATE without parent" -> encode(valid(i).setFop(Fop.CREATE).setParent(null).build());
      case "SETXATTR without xattrs" ->
          encode(valid(i).setFop(Fop.SETXATTR).setXattrs(List.of()).build());
      case "negative nlink" ->
          encode(
              valid(i)
                  .setFop(Fop.UNLINK)
                  .setParent(Gfids.of(UUID.randomUUID()))
                  .setNlink(-1)
                  .build());
      case "all-zero gfid" -> encode(valid(i).setGfid(Gfids.of(new UUID(0, 0))).build());
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** A WRITE that meets the contract, named as poison so the model leaves out the variants that break it. */
  private static FopRecord.Builder valid(int i) {
    Gfid gfid = Gfids.of(UUID.randomUUID());
    return FopRecord.newBuilder()
        .setVolume("vol")
        .setBrick("poison-brick")
        .setFop(Fop.WRITE)
        .setClient("poisoner")
        .setGfid(gfid)
        .setEventTimeMs(System.currentTimeMillis())
        .setFopId(POISON_PREFIX + i);
  }

  /** Avro's single-object encoding, which is what the topic's serde reads, bypassing any check on the way. */
  private static byte[] encode(FopRecord record) {
    try {
      ByteBuffer buffer = record.toByteBuffer();
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** The reason without its details, to count kinds (e.g. "client must not be empty"). */
  private static String kindOf(String reason) {
    if (reason == null) {
      return "(none)";
    }
    String kind = reason.split("[:(,]")[0].trim();
    return kind.length() > 60 ? kind.substring(0, 60) : kind;
  }
}
