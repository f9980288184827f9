package io.upcall.client;

import io.upcall.avro.Invalidation;
import io.upcall.avro.InvalidationBatch;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.UpcallEvent;
import io.upcall.schemas.UpcallEventHeader;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.ClientPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's poll loop: reads the one invalidation partition its uid hashes to, applies its invalidations to
 * the cache, tells the listener, and turns progress marks into the cache's fresh-as-of proof.
 *
 * <p>Positioning: assign the partition, seek to its end (the last stable offset, as it reads committed data
 * only) and ask for the position, which fixes it; every invalidation written after that is read. Then the cache
 * is reset, so nothing fetched before is kept. When the first full set of marks (one from every streams task)
 * has been read, the cache is reset once more and the client is ready: a task writes its mark into this
 * partition only once its producer knows the partition count this client hashed with, so from then on every
 * task routes this uid's invalidations here, including after a change of the partition count.
 */
final class InvalidationReader implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(UpcallClient.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);
  private static final long ASSIGNMENT_CHECK_NANOS = Duration.ofSeconds(1).toNanos();

  private final String uid;
  private final String topic;
  private final MetadataCache cache;
  private final InvalidationListener listener;
  private final UpcallEventDispatcher upcallEvents;
  private final Consumer<String, SpecificRecord> consumer;
  private final CompletableFuture<Void> positioned = new CompletableFuture<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final TaskMarks marks = new TaskMarks();

  /** Decodes the changes of a batch addressed to this client (the others are never decoded). */
  private final Deserializer<Invalidation> bodies = UpcallSerdes.invalidation().deserializer();

  private final AtomicLong invalidations = new AtomicLong();
  private final AtomicLong othersSkipped = new AtomicLong();
  private final AtomicLong marksRead = new AtomicLong();
  private final AtomicLong listenerFailures = new AtomicLong();
  private final AtomicLong positionLosses = new AtomicLong();
  private volatile long lag = -1;
  private volatile int partition = -1;

  private TopicPartition assigned;
  private int partitionCount;
  private boolean settled;
  private long nextAssignmentCheck;

  InvalidationReader(
      String uid,
      String topic,
      MetadataCache cache,
      InvalidationListener listener,
      Consumer<String, SpecificRecord> consumer) {
    this(uid, topic, cache, listener, UpcallEventDispatcher.none(uid), consumer);
  }

  InvalidationReader(
      String uid,
      String topic,
      MetadataCache cache,
      InvalidationListener listener,
      UpcallEventDispatcher upcallEvents,
      Consumer<String, SpecificRecord> consumer) {
    this.uid = uid;
    this.topic = topic;
    this.cache = cache;
    this.listener = listener;
    this.upcallEvents = upcallEvents;
    this.consumer = consumer;
  }

  /** The partition Kafka's default partitioner (and so the streams app's producer) picks for a String key. */
  static int partitionOf(String uid, int partitions) {
    return ClientPartition.of(uid, partitions);
  }

  /** Completes when the position is fixed and every streams task has been heard from since. */
  CompletableFuture<Void> positioned() {
    return positioned;
  }

  @Override
  public void run() {
    try {
      while (stopped.getCount() > 0) {
        try {
          if (assigned == null && !position()) {
            pause();
            continue;
          }
          ConsumerRecords<String, SpecificRecord> records = consumer.poll(POLL_TIMEOUT);
          for (ConsumerRecord<String, SpecificRecord> record : records) {
            handle(record);
          }
          lag = consumer.currentLag(assigned).orElse(-1);
          checkAssignment();
        } catch (WakeupException | InterruptException e) {
          // close() woke us; the loop condition ends it.
        } catch (OffsetOutOfRangeException | NoOffsetForPartitionException e) {
          lose("its offset is out of range (" + e.getMessage() + ")");
        } catch (RecordDeserializationException e) {
          skipUnreadable(e);
        } catch (KafkaException e) {
          lose("reading failed: " + e);
          pause();
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.error("upcall client {}: poll thread died; the cache serves nothing from now on", uid, e);
      throw e;
    } finally {
      cache.freshness().lose();
      positioned.completeExceptionally(
          new IllegalStateException("upcall client " + uid + " was closed"));
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /** Stops the loop; safe from any thread. */
  void stop() {
    stopped.countDown();
    consumer.wakeup();
  }

  ClientMetrics metrics() {
    return new ClientMetrics(
        uid,
        partition,
        lag,
        invalidations.get(),
        othersSkipped.get(),
        marksRead.get(),
        listenerFailures.get() + upcallEvents.listenerFailures(),
        positionLosses.get(),
        cache.stats(),
        upcallEvents.events(),
        upcallEvents.unknownEvents());
  }

  private boolean position() {
    List<PartitionInfo> partitions;
    try {
      partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    } catch (TimeoutException e) {
      LOG.debug("upcall client {}: no metadata for {} yet", uid, topic);
      return false;
    }
    if (partitions == null || partitions.isEmpty()) {
      LOG.warn("upcall client {}: topic {} does not exist (yet); retrying", uid, topic);
      return false;
    }
    TopicPartition target = new TopicPartition(topic, partitionOf(uid, partitions.size()));
    consumer.assign(List.of(target));
    consumer.seekToEnd(List.of(target));
    long offset = consumer.position(target, METADATA_TIMEOUT);
    // Whatever was fetched before the position was fixed may predate invalidations this client will
    // never read.
    cache.invalidateAll();
    cache.freshness().lose();
    marks.clear();
    settled = false;
    assigned = target;
    partition = target.partition();
    partitionCount = partitions.size();
    nextAssignmentCheck = System.nanoTime() + ASSIGNMENT_CHECK_NANOS;
    LOG.debug("upcall client {}: reading {} from offset {}", uid, target, offset);
    return true;
  }

  private void handle(ConsumerRecord<String, SpecificRecord> record) {
    SpecificRecord value = record.value();
    if (value instanceof ProgressMark mark) {
      marksRead.incrementAndGet();
      OptionalLong proven = marks.observe(mark);
      if (proven.isPresent()) {
        if (!settled) {
          settled = true;
          cache.invalidateAll();
        }
        cache.freshness().provenUpTo(proven.getAsLong());
        positioned.complete(null); // after the proof, so a client that is ready is also fresh
      }
    } else if (value instanceof Invalidation invalidation) {
      if (!uid.equals(record.key())) {
        othersSkipped.incrementAndGet();
        return;
      }
      invalidations.incrementAndGet();
      cache.apply(invalidation);
      tellListener(invalidation);
    } else if (value instanceof InvalidationBatch batch) {
      List<Invalidation> mine = InvalidationBatches.addressedTo(batch, uid, topic, bodies);
      othersSkipped.addAndGet(
          InvalidationBatches.size(batch) - mine.size()); // counted as if one record each
      for (Invalidation invalidation : mine) {
        invalidations.incrementAndGet();
        cache.apply(invalidation);
        tellListener(invalidation);
      }
    } else if (value instanceof UpcallEvent event) {
      if (!uid.equals(record.key())) {
        othersSkipped.incrementAndGet();
        return;
      }
      upcallEvents.dispatch(event);
    } else if (value != null) {
      LOG.warn(
          "upcall client {}: ignoring a {} at {}@{}",
          uid,
          value.getClass().getSimpleName(),
          record.partition(),
          record.offset());
    }
  }

  private void tellListener(Invalidation invalidation) {
    if (listener == null) {
      return;
    }
    try {
      listener.onInvalidation(invalidation);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      listenerFailures.incrementAndGet();
      LOG.warn("upcall client {}: the invalidation listener failed; carrying on", uid, e);
    }
  }

  /**
   * A record that cannot be decoded might be an invalidation for this client: if it is keyed by this uid, the
   * cache cannot know what it would have dropped, so it drops everything.
   */
  private void skipUnreadable(RecordDeserializationException e) {
    var eventType = e.headers() == null ? null : e.headers().lastHeader(UpcallEventHeader.NAME);
    if (eventType != null) {
      // An upcall event of a type or version this client does not know: no invalidation was lost.
      upcallEvents.unknown(new String(eventType.value(), StandardCharsets.UTF_8));
      consumer.seek(e.topicPartition(), e.offset() + 1);
      return;
    }
    ByteBuffer key = e.keyBuffer();
    boolean mine =
        key == null || StandardCharsets.UTF_8.decode(key.duplicate()).toString().equals(uid);
    LOG.warn(
        "upcall client {}: skipping an undecodable record at {}@{}{}",
        uid,
        e.topicPartition(),
        e.offset(),
        mine ? " addressed to this client; dropping the whole cache" : "",
        e);
    if (mine) {
      cache.invalidateAll();
    }
    consumer.seek(e.topicPartition(), e.offset() + 1);
  }

  /** The partition count changed or the topic went away: the uid may now hash elsewhere. */
  private void checkAssignment() {
    long now = System.nanoTime();
    if (now - nextAssignmentCheck < 0) {
      return;
    }
    nextAssignmentCheck = now + ASSIGNMENT_CHECK_NANOS;
    List<PartitionInfo> partitions;
    try {
      partitions = consumer.partitionsFor(topic, Duration.ofMillis(200));
    } catch (TimeoutException e) {
      return; // unreachable broker: freshness ages out by itself
    }
    if (partitions == null || partitions.isEmpty()) {
      lose("topic " + topic + " disappeared");
    } else if (partitions.size() != partitionCount) {
      lose(
          "the partition count of "
              + topic
              + " changed from "
              + partitionCount
              + " to "
              + partitions.size());
    }
  }

  private void lose(String why) {
    LOG.warn(
        "upcall client {}: lost its position because {}; dropping the cache and starting again",
        uid,
        why);
    positionLosses.incrementAndGet();
    cache.invalidateAll();
    cache.freshness().lose();
    marks.clear();
    lag = -1;
    partition = -1;
    assigned = null;
  }

  private void pause() {
    try {
      stopped.await(RETRY_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped.countDown();
    }
  }
}
