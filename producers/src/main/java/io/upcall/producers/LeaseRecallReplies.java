package io.upcall.producers;

import io.upcall.avro.LeaseRecallReply;
import io.upcall.avro.UpcallRequest;
import io.upcall.avro.UpcallRequestType;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A brick's side of lease recall: publishes a recall and completes it with the holder's answer from
 * {@code upcall.replies}, or as {@link RecallOutcome.Status#TIMED_OUT} when no answer arrived by its deadline
 * (the request's event time plus its recall timeout, 60 s unless set, GlusterFS's recall-lease-timeout).
 *
 * <p>It reads only the partition the brick id hashes to (replies are keyed by brick), committed records only, from
 * the end as it was when it was built. Thread-safe; futures complete on its own threads.
 */
public final class LeaseRecallReplies implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseRecallReplies.class);

  /** GlusterFS's recall-lease-timeout default. */
  public static final Duration DEFAULT_RECALL_TIMEOUT = Duration.ofSeconds(60);

  private final String brick;
  private final Duration defaultTimeout;
  private final InstantSource clock;
  private final KafkaConsumer<String, LeaseRecallReply> consumer;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService deadlines;
  private final Thread poller;
  private final LongAdder unmatched = new LongAdder();
  private volatile boolean closed;

  private record Pending(String client, CompletableFuture<RecallOutcome> outcome) {}

  private LeaseRecallReplies(Builder builder, Map<String, Object> config) {
    this.brick = builder.brick;
    this.defaultTimeout = builder.defaultTimeout;
    this.clock = builder.clock;
    String topic = builder.topics.replies();
    this.consumer =
        new KafkaConsumer<>(
            config, new StringDeserializer(), UpcallSerdes.leaseRecallReply().deserializer());
    try {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalStateException(
            "topic " + topic + " does not exist: create the Upcall topics first");
      }
      TopicPartition mine = new TopicPartition(topic, partitionOf(brick, partitions.size()));
      consumer.assign(List.of(mine));
      consumer.seekToEnd(List.of(mine));
      consumer.position(
          mine, Duration.ofSeconds(10)); // fixed now: no reply to a later recall is missed
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
    this.deadlines =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "upcall-recall-deadlines-" + brick);
              thread.setDaemon(true);
              return thread;
            });
    this.poller = new Thread(this::poll, "upcall-recall-replies-" + brick);
    poller.setDaemon(true);
    poller.start();
  }

  /** Starts configuring the reader of one brick's replies. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The partition Kafka's default partitioner picks for a String key, as the replying client's producer does: its
   * documented placement of a keyed record, murmur2 of the key bytes made positive, modulo the partition count.
   */
  static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * Publishes {@code recall} (a {@link UpcallRequestType#LEASE_RECALL}) through {@code publisher}, with the
   * default recall timeout when it names none, and completes with the holder's answer or, at the deadline, as
   * timed out. Completes exceptionally with the {@link PublishException} when the recall could not be published.
   *
   * @throws IllegalArgumentException when the request is not a lease recall, breaks the contract, or comes from
   *     another brick
   */
  public CompletableFuture<RecallOutcome> recall(BrickPublisher publisher, UpcallRequest recall) {
    if (closed) {
      throw new IllegalStateException("replies of brick " + brick + " are closed");
    }
    if (recall.getType() != UpcallRequestType.LEASE_RECALL) {
      throw new IllegalArgumentException("type must be LEASE_RECALL, was " + recall.getType());
    }
    if (!brick.equals(publisher.brick())) {
      throw new IllegalArgumentException(
          "publisher of brick '" + publisher.brick() + "' cannot recall for brick '" + brick + "'");
    }
    UpcallRequest.Builder timed = UpcallRequest.newBuilder(recall);
    if (recall.getRecallTimeoutSeconds() == null) {
      timed.setRecallTimeoutSeconds((int) defaultTimeout.toSeconds());
    }
    UpcallRequest own = publisher.ownRequest(timed.build());
    Pending waiting = new Pending(own.getClient(), new CompletableFuture<>());
    if (pending.putIfAbsent(own.getRequestId(), waiting) != null) {
      throw new IllegalArgumentException(
          "requestId " + own.getRequestId() + " is already being recalled");
    }
    long deadlineMs = own.getEventTimeMs() + own.getRecallTimeoutSeconds() * 1000L;
    deadlines.schedule(
        () -> timeOut(own.getRequestId()),
        Math.max(0, deadlineMs - clock.millis()),
        TimeUnit.MILLISECONDS);
    try {
      publisher
          .request(own)
          .whenComplete(
              (metadata, error) -> {
                if (error != null && pending.remove(own.getRequestId(), waiting)) {
                  waiting.outcome().completeExceptionally(error);
                }
              });
    } catch (RuntimeException e) {
      pending.remove(own.getRequestId(), waiting);
      throw e;
    }
    return waiting.outcome();
  }

  /** Recalls still waiting for an answer. */
  public int pendingRecalls() {
    return pending.size();
  }

  /** Replies for this brick that matched no waiting recall: late (after the timeout), or answered twice. */
  public long unmatchedReplies() {
    return unmatched.sum();
  }

  private void timeOut(String requestId) {
    Pending waiting = pending.remove(requestId);
    if (waiting != null) {
      waiting.outcome().complete(RecallOutcome.timedOut(requestId, waiting.client()));
    }
  }

  private void poll() {
    while (!closed) {
      try {
        for (ConsumerRecord<String, LeaseRecallReply> record :
            consumer.poll(Duration.ofMillis(100))) {
          LeaseRecallReply reply = record.value();
          if (reply == null || !brick.equals(reply.getBrick())) {
            continue; // another brick's reply in a shared partition
          }
          Pending waiting = pending.remove(reply.getRequestId());
          if (waiting == null) {
            unmatched.increment();
          } else {
            waiting.outcome().complete(RecallOutcome.answered(reply));
          }
        }
      } catch (WakeupException e) {
        // close() woke us
      } catch (RecordDeserializationException e) {
        log.warn(
            "brick {}: skipping an undecodable reply at {}@{}",
            brick,
            e.topicPartition(),
            e.offset(),
            e);
        consumer.seek(e.topicPartition(), e.offset() + 1);
      } catch (RuntimeException e) {
        log.warn("brick {}: reading replies failed; retrying", brick, e);
      }
    }
    consumer.close(Duration.ofSeconds(5));
  }

  /** Stops reading; recalls still waiting complete as timed out at once. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    deadlines.shutdownNow();
    pending.keySet().forEach(this::timeOut);
    try {
      poller.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Configures a {@link LeaseRecallReplies}. */
  public static final class Builder {
    private String bootstrapServers;
    private String brick;
    private UpcallTopics topics = UpcallTopics.defaults();
    private Duration defaultTimeout = DEFAULT_RECALL_TIMEOUT;
    private InstantSource clock = Clock.systemUTC();
    private final Map<String, Object> properties = new HashMap<>();

    private Builder() {}

    /** The Kafka cluster, {@code host:port[,host:port...]}. Required (here or as a property). */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /** The brick whose replies to read; the same id its publisher uses. Required. */
    public Builder brick(String brick) {
      this.brick = brick;
      return this;
    }

    /** The topic names; {@link UpcallTopics#defaults()} unless set. */
    public Builder topics(UpcallTopics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /** The recall timeout of a recall that names none: whole seconds, at least 1 (default 60 s). */
    public Builder defaultRecallTimeout(Duration timeout) {
      this.defaultTimeout = timeout;
      return this;
    }

    /** The brick's clock, the one it stamps requests with (deadlines are event time plus timeout). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A Kafka consumer property passed through untouched (e.g. security settings). */
    public Builder property(String key, Object value) {
      properties.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    /**
     * Connects, fixes the read position at the end of the brick's partition, and starts reading.
     *
     * @throws IllegalArgumentException naming the setting that is missing or out of range
     * @throws IllegalStateException when the replies topic does not exist
     */
    public LeaseRecallReplies build() {
      if (brick == null || brick.isBlank()) {
        throw new IllegalArgumentException("brick must be set");
      }
      if (defaultTimeout == null
          || defaultTimeout.toSeconds() < 1
          || defaultTimeout.toMillis() % 1000 != 0) {
        throw new IllegalArgumentException(
            "defaultRecallTimeout must be whole seconds >= 1, got " + defaultTimeout);
      }
      Map<String, Object> config = new HashMap<>(properties);
      if (bootstrapServers != null) {
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      }
      Object servers = config.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
      if (servers == null || servers.toString().isBlank()) {
        throw new IllegalArgumentException("bootstrapServers must be set");
      }
      // A reply written in a client's aborted transaction never happened.
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
      return new LeaseRecallReplies(this, config);
    }
  }
}
