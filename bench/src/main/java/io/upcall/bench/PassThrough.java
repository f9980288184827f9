package io.upcall.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces sample records into one topic as fast as the producer takes them, for a window, while a consumer reads
 * another (or the same) topic; the figure is the rate at which records came out, measured once the JVM is warm.
 */
final class PassThrough {
  /** The consumer's wait for stragglers after the producer stopped. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

  /**
   * What came out.
   *
   * @param produced records the producer sent
   * @param consumed records the consumer read
   * @param producedPerSecond the producer's rate over its window
   * @param recordsPerSecond records read per second once warm, until the last record was read
   * @param cpuMicrosPerRecord CPU of the threads in between (a Streams app's) per record, NaN when none is named
   * @param brokerCpuMicrosPerRecord CPU of the broker process per record, NaN when the bench cannot see it
   */
  record Result(
      long produced,
      long consumed,
      double producedPerSecond,
      double recordsPerSecond,
      double cpuMicrosPerRecord,
      double brokerCpuMicrosPerRecord) {}

  private PassThrough() {}

  /**
   * Sends {@code sample} round and round into {@code in} for {@code window} and reads {@code out} from the
   * position it had before; the first {@code warmUp} of reading is not counted.
   */
  /**
   * Sends {@code sample} round and round into {@code in} for {@code window} and reads {@code out} from the
   * position it had before; the first {@code warmUp} of reading is not counted. The CPU of the threads named after
   * {@code applicationId} (the Streams app in between, if any) and of the broker are taken per record.
   */
  static Result run(
      BenchKafka kafka,
      SampleFops sample,
      String in,
      String out,
      List<TopicPartition> outPartitions,
      Duration window,
      Duration warmUp,
      String applicationId) {
    String bootstrapServers = kafka.bootstrapServers();
    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, Object> producerConfig = new HashMap<>(BenchSettings.PRODUCER);
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    producerConfig.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);

    AtomicLong target = new AtomicLong(Long.MAX_VALUE);
    long[] consumed = new long[1];
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      consumer.assign(outPartitions);
      consumer.seekToEnd(outPartitions);
      outPartitions.forEach(consumer::position); // fixed before the first record is sent
      producer.partitionsFor(in);

      long cpuStart = applicationId == null ? -1 : ThreadCpu.of(applicationId);
      long brokerStart = kafka.brokerCpuNanos();
      long start = System.nanoTime();
      long warm = start + warmUp.toNanos();
      CompletableFuture<double[]> reading =
          CompletableFuture.supplyAsync(
              () -> {
                long countAtWarm = 0;
                long warmAt = start;
                boolean warmed = false;
                long lastAt = start;
                long deadline = Long.MAX_VALUE;
                while (consumed[0] < target.get()) {
                  int n = consumer.poll(Duration.ofMillis(100)).count();
                  long now = System.nanoTime();
                  if (!warmed && now >= warm) {
                    warmed = true;
                    countAtWarm = consumed[0];
                    warmAt = now;
                  }
                  if (n > 0) {
                    consumed[0] += n;
                    lastAt = now;
                  }
                  if (target.get() != Long.MAX_VALUE && deadline == Long.MAX_VALUE) {
                    deadline = now + DRAIN_TIMEOUT.toNanos();
                  }
                  if (now > deadline) {
                    break;
                  }
                }
                return new double[] {countAtWarm, warmAt, lastAt};
              },
              task -> new Thread(task, "upcall-bench-reader").start());

      long sent = 0;
      long stop = start + window.toNanos();
      int size = sample.size();
      while ((sent & 255) != 0 || System.nanoTime() < stop) {
        int i = (int) (sent % size);
        producer.send(new ProducerRecord<>(in, sample.key(i), sample.value(i)));
        sent++;
      }
      producer.flush();
      double producedPerSecond = sent / ((System.nanoTime() - start) / 1e9);
      target.set(sent);
      double[] read = reading.get(DRAIN_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
      double seconds = (read[2] - read[1]) / 1e9;
      double rate = seconds <= 0 ? 0 : (consumed[0] - read[0]) / seconds;
      double cpu =
          cpuStart < 0 || consumed[0] == 0
              ? Double.NaN
              : (ThreadCpu.of(applicationId) - cpuStart) / 1e3 / consumed[0];
      long brokerEnd = kafka.brokerCpuNanos();
      double broker =
          brokerStart < 0 || consumed[0] == 0
              ? Double.NaN
              : (brokerEnd - brokerStart) / 1e3 / consumed[0];
      return new Result(sent, consumed[0], producedPerSecond, rate, cpu, broker);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("reading " + out + " failed: " + e.getMessage(), e);
    }
  }
}
