package io.upcall.bench;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One write to an inode cached by many clients: every client reads the inode (and the app tracks them all), then
 * one more client writes it; the figure is the time from the write's send to the moment a read_committed consumer
 * of the invalidation topic has read every client's invalidation.
 */
final class FanOut {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * @param clients clients that had read the inode
   * @param invalidations their invalidations read within the timeout
   * @param seconds from the write's send to the last of them read
   */
  record Result(int clients, long invalidations, double seconds) {

    String describe() {
      return String.format(
          Locale.ROOT,
          "  one write to an inode cached by %,d clients: %,d invalidations read in " + "%.3f s",
          clients,
          invalidations,
          seconds);
    }
  }

  private FanOut() {}

  static Result run(BenchKafka kafka, PipelineApp app, int clients, String volume) {
    Map<String, Object> producerConfig = new HashMap<>(BenchSettings.PRODUCER);
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    String fops = app.topics().fops();
    Gfid inode = Gfids.of(UUID.randomUUID());
    String key = Gfids.format(inode);
    String writeId = "fanout-" + app.applicationId();
    try (KafkaProducer<String, SpecificRecord> producer =
            new KafkaProducer<>(
                producerConfig, new StringSerializer(), UpcallSerdes.fopsTopic().serializer());
        KafkaConsumer<String, SpecificRecord> consumer =
            new KafkaConsumer<>(
                consumerConfig,
                new StringDeserializer(),
                UpcallSerdes.invalidationsTopic().deserializer())) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < clients; i++) {
        String client = String.format(Locale.ROOT, "bench-fanout-client-%06d", i);
        producer.send(
            new ProducerRecord<>(
                fops, null, now, key, fop(Fop.LOOKUP, client, inode, now, volume, null)));
      }
      producer.flush();
      if (!kafka.awaitNoLag(app.applicationId(), fops, TIMEOUT)) {
        throw new IllegalStateException(
            app.applicationId()
                + " did not process the fan-out's reads within "
                + TIMEOUT.toSeconds()
                + " s");
      }
      List<TopicPartition> partitions = kafka.partitions(app.topics().invalidations());
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);

      long sent = System.nanoTime();
      producer.send(
          new ProducerRecord<>(
              fops,
              null,
              now + 1,
              key,
              fop(Fop.WRITE, "bench-fanout-writer", inode, now + 1, volume, writeId)));
      long received = 0;
      long last = sent;
      var bodies = UpcallSerdes.invalidation().deserializer();
      long deadline = sent + TIMEOUT.toNanos();
      while (received < clients && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(50))) {
          for (Invalidation invalidation :
              InvalidationBatches.perClient(record.value(), record.topic(), bodies)) {
            if (writeId.equals(invalidation.getCauseFopId())) {
              received++;
              last = System.nanoTime();
            }
          }
        }
      }
      return new Result(clients, received, received < clients ? Double.NaN : (last - sent) / 1e9);
    }
  }

  private static FopRecord fop(
      Fop type, String client, Gfid inode, long eventTimeMs, String volume, String fopId) {
    return FopRecord.newBuilder()
        .setVolume(volume)
        .setBrick("bench-fanout-brick")
        .setFop(type)
        .setClient(client)
        .setGfid(inode)
        .setEventTimeMs(eventTimeMs)
        .setFopId(fopId)
        .setEntries(List.of())
        .setXattrs(List.of())
        .build();
  }
}
