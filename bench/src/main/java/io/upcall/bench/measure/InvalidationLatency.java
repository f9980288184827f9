package io.upcall.bench.measure;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Measures fop → invalidation latency through the running application on an in-process broker: a client tracks
 * one inode per write, another writes at a steady pace, and the time from send to a read_committed read is taken.
 * Run it from the built launcher: {@code java -cp cli/target/upcall.jar io.upcall.bench.measure.InvalidationLatency
 * [guarantee]} (guarantee: {@code exactly_once_v2}, the default, or {@code at_least_once}).
 */
public final class InvalidationLatency {
  private static final int PARTITIONS = 4;
  private static final int WRITES = 400;

  private InvalidationLatency() {}

  public static void main(String[] args) throws Exception {
    String guarantee = args.length > 0 ? args[0] : StreamsConfig.EXACTLY_ONCE_V2;
    try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
      UpcallTopics topics = UpcallTopics.defaults();
      Map<String, Object> props = new HashMap<>();
      props.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      props.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
      props.put(
          UpcallStreamsConfig.STATE_DIR_CONFIG,
          Files.createTempDirectory("upcall-latency").toString());
      props.put(TopicSettings.PARTITIONS_CONFIG, PARTITIONS);
      props.put(
          UpcallStreamsConfig.INVALIDATION_FORMAT_CONFIG,
          "per-client"); // this reader takes one record per client
      props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
      Map<String, Object> client = new HashMap<>(broker.adminProperties());
      client.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      client.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      try (UpcallStreamsApp app = UpcallStreamsApp.start(new UpcallStreamsConfig(props));
          KafkaProducer<String, FopRecord> producer =
              new KafkaProducer<>(
                  client, new StringSerializer(), UpcallSerdes.fopRecord().serializer());
          KafkaConsumer<String, Invalidation> consumer =
              new KafkaConsumer<>(
                  client, new StringDeserializer(), UpcallSerdes.invalidation().deserializer())) {
        if (!app.awaitRunning(Duration.ofSeconds(60))) {
          throw new IllegalStateException("not running: " + app.state());
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
          partitions.add(new TopicPartition(topics.invalidations(), p));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);

        Map<String, Long> sentAt = new HashMap<>();
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
          Gfid gfid = Gfids.of(UUID.randomUUID());
          long now = System.currentTimeMillis();
          send(producer, topics, fop(Fop.LOOKUP, "B", gfid, now).build());
          String id = "w" + i;
          sentAt.put(id, System.nanoTime());
          send(producer, topics, fop(Fop.WRITE, "A", gfid, now + 1).setFopId(id).build());
          for (ConsumerRecord<String, Invalidation> record : consumer.poll(Duration.ofMillis(20))) {
            latencies.add(System.nanoTime() - sentAt.get(record.value().getCauseFopId()));
          }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (latencies.size() < WRITES && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, Invalidation> record : consumer.poll(Duration.ofMillis(50))) {
            latencies.add(System.nanoTime() - sentAt.get(record.value().getCauseFopId()));
          }
        }
        latencies.sort(null);
        System.out.printf(
            "%s: %d of %d invalidations; fop sent -> invalidation read (read_committed): "
                + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
            guarantee,
            latencies.size(),
            WRITES,
            latencies.get(latencies.size() / 2) / 1e6,
            latencies.get((int) (latencies.size() * 0.99)) / 1e6,
            latencies.get(latencies.size() - 1) / 1e6);
      }
    }
  }

  private static FopRecord.Builder fop(Fop fop, String client, Gfid gfid, long eventTimeMs) {
    return FopRecord.newBuilder()
        .setVolume("vol")
        .setBrick("brick-1")
        .setFop(fop)
        .setClient(client)
        .setGfid(gfid)
        .setEventTimeMs(eventTimeMs);
  }

  private static void send(
      KafkaProducer<String, FopRecord> producer, UpcallTopics topics, FopRecord fop) {
    producer.send(
        new ProducerRecord<>(
            topics.fops(), null, fop.getEventTimeMs(), Gfids.format(fop.getGfid()), fop));
    producer.flush();
  }
}
