package io.upcall.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.avro.ProgressMark;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.ClientPartition;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.GfidAliases;
import io.upcall.schemas.trace.InvalidationJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code upcall tail}: the invalidations in {@code upcall.invalidations} as they are committed, one JSON line each.
 *
 * <p>A test (or another command) stops it without exiting the JVM through {@link #requestStop()}.
 */
@Command(
    name = "tail",
    description = {
      "Print invalidations as they are committed (read_committed), one JSON line each.",
      "Each line has client, gfid, flag names, event time, xattr names, and with them volume, brick, "
          + "cause, parents and stats. Without --client, every partition and every client; with it, only the "
          + "partition that client reads and only its invalidations (and, with --marks, that partition's "
          + "progress marks). A record that does not decode is a one-line warning on stderr, then skipped."
    })
public final class TailCommand implements Callable<Integer> {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final ObjectMapper MARKS = new ObjectMapper();

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--client",
      paramLabel = "UID",
      description =
          "Only this client's invalidations, read from the one partition its uid hashes to, as the "
              + "client library reads them.")
  String client;

  @Option(
      names = "--from-beginning",
      description = "Start at the oldest retained record instead of the end.")
  boolean fromBeginning;

  @Option(
      names = "--marks",
      description = "Also print the progress marks (watermarks of each streams task).")
  boolean marks;

  @Option(
      names = "--brief",
      description = "Only client, gfid, flags, ts and xattr names; no stats.")
  boolean brief;

  @Option(
      names = "--max",
      paramLabel = "N",
      description =
          "Stop after printing N invalidations (marks not counted). Default: run until Ctrl-C.")
  Long max;

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch positioned = new CountDownLatch(1);
  private volatile KafkaConsumer<String, byte[]> consumer;

  @Override
  public Integer call() {
    if (max != null && max < 1) {
      throw new ParameterException(spec.commandLine(), "--max must be at least 1, was " + max);
    }
    if (client != null && client.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--client must not be empty");
    }
    UpcallTopics topics = kafka.topics(spec);
    Map<String, Object> properties = kafka.clientProperties(spec);
    kafka.reach(spec);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "upcall-tail");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    InvalidationJson printer = new InvalidationJson(new GfidAliases(), !brief);
    Thread onCtrlC = new Thread(this::requestStop, "upcall-tail-shutdown");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try (KafkaConsumer<String, byte[]> reader =
            new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
        Deserializer<SpecificRecord> values = UpcallSerdes.invalidationsTopic().deserializer();
        Deserializer<Invalidation> bodies = UpcallSerdes.invalidation().deserializer()) {
      consumer = reader;
      List<TopicPartition> partitions = partitions(reader, topics.invalidations());
      reader.assign(partitions);
      if (fromBeginning) {
        reader.seekToBeginning(partitions);
      } else {
        reader.seekToEnd(partitions);
      }
      partitions.forEach(
          reader::position); // fixes the position now, so nothing committed from here on is missed
      positioned.countDown();
      long printed = 0;
      while (stopRequested.getCount() > 0 && (max == null || printed < max)) {
        for (ConsumerRecord<String, byte[]> record : reader.poll(POLL)) {
          SpecificRecord value;
          try {
            value = values.deserialize(record.topic(), record.headers(), record.value());
          } catch (RuntimeException e) {
            err.println(
                "upcall tail: skipped a record that does not decode at "
                    + record.topic()
                    + "-"
                    + record.partition()
                    + "@"
                    + record.offset()
                    + ": "
                    + e.getMessage());
            err.flush();
            continue;
          }
          // Marks are keyed by the task that wrote them, and every client of the partition reads
          // them. A batch prints as the per-client invalidations it carries, so the output is the
          // same in both formats.
          if (value instanceof Invalidation || value instanceof InvalidationBatch) {
            for (Invalidation invalidation :
                InvalidationBatches.perClient(value, record.topic(), bodies)) {
              if ((client == null || client.equals(invalidation.getClient()))
                  && (max == null || printed < max)) {
                out.println(printer.toJson(invalidation));
                printed++;
              }
            }
          } else if (value instanceof ProgressMark mark && marks) {
            out.println(markJson(mark, record.partition()));
          }
          if (max != null && printed >= max) {
            break;
          }
        }
        out.flush();
      }
    } catch (WakeupException stopping) {
      // requestStop() woke the poll
    } finally {
      positioned.countDown();
      removeHook(onCtrlC);
    }
    out.flush();
    return 0;
  }

  /** Asks a running {@code tail} to stop and return; safe at any time. */
  public void requestStop() {
    stopRequested.countDown();
    KafkaConsumer<String, byte[]> reading = consumer;
    if (reading != null) {
      reading.wakeup();
    }
  }

  /** Waits until the reader's start positions are fixed: from then on every committed record is printed. */
  public boolean awaitPositioned(Duration timeout) throws InterruptedException {
    return positioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> reader, String topic) {
    List<PartitionInfo> infos = reader.partitionsFor(topic, kafka.timeout());
    if (infos == null || infos.isEmpty()) {
      throw new CommandFailure(
          "topic "
              + topic
              + " does not exist at "
              + kafka.bootstrapServers()
              + " (create it with upcall topics --ensure, or see --topic-prefix)");
    }
    List<TopicPartition> partitions = new ArrayList<>();
    if (client != null) {
      // The streams app's producer places an invalidation by Kafka's default partitioner on the
      // uid.
      int partition = ClientPartition.of(client, infos.size());
      partitions.add(new TopicPartition(topic, partition));
    } else {
      infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    return partitions;
  }

  private static String markJson(ProgressMark mark, int partition) {
    ObjectNode json = MARKS.createObjectNode();
    json.put("mark", mark.getTask());
    json.put("partition", partition);
    json.put("taskCount", mark.getTaskCount());
    json.put("watermarkMs", mark.getWatermarkMs());
    json.put("watermark", Instant.ofEpochMilli(mark.getWatermarkMs()).toString());
    json.put("emittedAtMs", mark.getEmittedAtMs());
    return json.toString();
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException jvmShuttingDown) {
      // Ctrl-C: the hook is what is stopping us.
    }
  }
}
