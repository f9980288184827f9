package io.upcall.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads everything one pipeline app writes while it writes it, from where its output ended when the reader started
 * to where it ends when the reader is finished, and counts it as {@link WrittenRecords}. It reads during the window,
 * not after it, because Kafka Streams deletes the records of its repartition topics once they are committed.
 */
final class OutputReader implements AutoCloseable {
  private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(120);

  private final BenchKafka kafka;
  private final PipelineApp app;
  private final KafkaConsumer<byte[], byte[]> consumer;

  /** Held while a poll's records are counted, so that the end of the window can be fixed between two polls. */
  private final ReentrantLock polling = new ReentrantLock();

  private final Map<String, Long> records = new TreeMap<>();
  private final Map<String, Long> bytes = new TreeMap<>();
  private final Thread thread;
  private volatile Map<TopicPartition, Long> end;
  private volatile boolean done;
  private volatile RuntimeException failure;

  private OutputReader(BenchKafka kafka, PipelineApp app) {
    this.kafka = kafka;
    this.app = app;
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Map<TopicPartition, Long> start = WrittenRecords.position(kafka, app);
    consumer.assign(start.keySet());
    start.forEach(consumer::seek);
    thread = new Thread(this::read, "upcall-bench-output-reader");
    thread.setDaemon(true);
  }

  /** Starts reading {@code app}'s output from where it ends now. */
  static OutputReader start(BenchKafka kafka, PipelineApp app) {
    OutputReader reader = new OutputReader(kafka, app);
    reader.thread.start();
    return reader;
  }

  /**
   * Fixes the end of the window at where the output ends now (call it once the app drained: every record its input
   * caused is before that), waits until the reader got there, and returns what it counted.
   */
  WrittenRecords finish() {
    polling.lock();
    try {
      // No poll runs now: every record counted so far was written before this position was taken.
      end = WrittenRecords.position(kafka, app);
    } finally {
      polling.unlock();
    }
    try {
      thread.join(FINISH_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while reading " + app.applicationId() + "'s output", e);
    }
    if (failure != null) {
      throw failure;
    }
    if (thread.isAlive()) {
      throw new IllegalStateException(
          "could not read "
              + app.applicationId()
              + "'s output up to its end within "
              + FINISH_TIMEOUT.toSeconds()
              + " s");
    }
    return new WrittenRecords(records, bytes);
  }

  private void read() {
    Map<String, String> topicKinds = new HashMap<>();
    Set<TopicPartition> reached = new HashSet<>();
    try {
      while (!done) {
        polling.lock();
        try {
          Map<TopicPartition, Long> ends = end;
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            if (ends != null
                && record.offset()
                    >= ends.getOrDefault(
                        new TopicPartition(record.topic(), record.partition()), 0L)) {
              continue; // written after the window
            }
            String kind = WrittenRecords.kindOf(app, record.topic(), record.value(), topicKinds);
            records.merge(kind, 1L, Long::sum);
            bytes.merge(kind, (long) WrittenRecords.serializedBytes(record), Long::sum);
          }
          if (ends != null) {
            // The position moves past transaction markers too, so a partition whose window ends on
            // one is done.
            for (TopicPartition partition : consumer.assignment()) {
              if (consumer.position(partition) >= ends.getOrDefault(partition, 0L)) {
                reached.add(partition);
              }
            }
            consumer.pause(reached);
            done = reached.containsAll(consumer.assignment());
          }
        } finally {
          polling.unlock();
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Stops reading without a result (the window failed). */
  @Override
  public void close() {
    if (thread.isAlive()) {
      done = true;
      consumer.wakeup();
    }
  }
}
