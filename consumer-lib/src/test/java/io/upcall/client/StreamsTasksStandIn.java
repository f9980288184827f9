package io.upcall.client;

import io.upcall.avro.Invalidation;
import io.upcall.avro.ProgressMark;
import io.upcall.schemas.serde.UpcallSerdes;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes what the streams app's tasks write into {@code upcall.invalidations} — invalidations keyed by client
 * uid with the default partitioner, and one progress mark per task into every partition — in transactions, so
 * the client's mechanics can be tested on a real broker without the topology.
 */
final class StreamsTasksStandIn implements AutoCloseable {
  private final KafkaProducer<String, SpecificRecord> producer;
  private final String topic;
  private final int taskCount;
  private ScheduledExecutorService marker;

  StreamsTasksStandIn(String bootstrapServers, String topic, int taskCount) {
    this.topic = topic;
    this.taskCount = taskCount;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "stand-in-" + UUID.randomUUID(),
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.METADATA_MAX_AGE_CONFIG, 500,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000),
            new StringSerializer(),
            UpcallSerdes.invalidationsTopic().serializer());
    producer.initTransactions();
  }

  /** Writes and commits invalidations. */
  synchronized void invalidate(Invalidation... invalidations) {
    producer.beginTransaction();
    for (Invalidation invalidation : invalidations) {
      producer.send(new ProducerRecord<>(topic, invalidation.getClient(), invalidation));
    }
    producer.commitTransaction();
  }

  /** Writes an invalidation in a transaction left open; returns the commit. */
  synchronized Runnable invalidateUncommitted(Invalidation invalidation) {
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(topic, invalidation.getClient(), invalidation));
    producer.flush();
    return () -> {
      synchronized (this) {
        producer.commitTransaction();
      }
    };
  }

  /** Every task claims {@code watermarkMs} in every partition, committed. */
  synchronized void markAll(long watermarkMs) {
    producer.beginTransaction();
    int partitions = producer.partitionsFor(topic).size();
    for (int task = 0; task < taskCount; task++) {
      ProgressMark mark =
          ProgressMark.newBuilder()
              .setTask("1_" + task)
              .setTaskCount(taskCount)
              .setWatermarkMs(watermarkMs)
              .setEmittedAtMs(System.currentTimeMillis())
              .build();
      for (int partition = 0; partition < partitions; partition++) {
        producer.send(new ProducerRecord<>(topic, partition, mark.getTask(), mark));
      }
    }
    producer.commitTransaction();
  }

  /** Marks every {@code interval} with the wall clock less {@code behind}, as live tasks would. */
  void keepMarking(Duration interval, Duration behind) {
    stopMarking();
    synchronized (this) {
      marker = Executors.newSingleThreadScheduledExecutor();
      marker.scheduleAtFixedRate(
          () -> markAll(System.currentTimeMillis() - behind.toMillis()),
          0,
          interval.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Stops marking once the mark under way, if any, is committed. Not by interrupting it: an interrupted send or
   * commit leaves the producer's transaction open, every later {@link #markAll} then throws, and a periodic task that
   * throws is never run again, so the test would wait for marks that never come.
   */
  void stopMarking() {
    ScheduledExecutorService stopping;
    synchronized (this) {
      stopping = marker;
      marker = null;
    }
    if (stopping != null) {
      stopping.shutdown();
      try {
        if (!stopping.awaitTermination(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the marker did not finish its mark within 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stopMarking();
    producer.close(Duration.ofSeconds(5));
  }
}
