package io.upcall.producers;

import static io.upcall.producers.TestFops.BRICK;
import static io.upcall.producers.TestFops.CLIENT;
import static io.upcall.producers.TestFops.VOLUME;
import static io.upcall.producers.TestFops.gfid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.LeaseRecallReply;
import io.upcall.avro.UpcallRequest;
import io.upcall.avro.UpcallRequestType;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LeaseRecallRepliesTest {
  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  private static BrickPublisher publisher(UpcallTopics topics) {
    return BrickPublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .volume(VOLUME)
        .brick(BRICK)
        .topics(topics)
        .heartbeatInterval(Duration.ZERO)
        .build();
  }

  private static LeaseRecallReplies replies(UpcallTopics topics) {
    return LeaseRecallReplies.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .brick(BRICK)
        .topics(topics)
        .build();
  }

  private static UpcallRequest recall(int gfid) {
    return UpcallRequest.newBuilder()
        .setRequestId("")
        .setVolume("")
        .setBrick("")
        .setClient(CLIENT)
        .setGfid(gfid(gfid))
        .setEventTimeMs(0)
        .setType(UpcallRequestType.LEASE_RECALL)
        .setLeaseId("lease-" + gfid)
        .build();
  }

  /** The holder's answer, as the client library sends it: keyed by the brick, on the replies topic. */
  private static void answer(UpcallTopics topics, UpcallRequest recall, boolean released)
      throws Exception {
    Map<String, Object> config =
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<String, LeaseRecallReply> producer =
        new KafkaProducer<>(
            config, new StringSerializer(), UpcallSerdes.leaseRecallReply().serializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.replies(),
                  recall.getBrick(),
                  new LeaseRecallReply(
                      recall.getRequestId(),
                      recall.getClient(),
                      recall.getBrick(),
                      recall.getGfid(),
                      released,
                      System.currentTimeMillis())))
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** The recall as the brick published it, read back from the fop topic. */
  private static UpcallRequest published(UpcallTopics topics) {
    List<ConsumerRecord<String, SpecificRecord>> read =
        FopsTopic.readAll(kafka.bootstrapServers(), topics.fops());
    assertThat(read).hasSize(1);
    UpcallRequest request = (UpcallRequest) read.get(0).value();
    assertThat(read.get(0).key()).isEqualTo(Gfids.format(request.getGfid()));
    return request;
  }

  @Test
  void theHoldersReleaseCompletesTheRecall() throws Exception {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    try (BrickPublisher publisher = publisher(topics);
        LeaseRecallReplies replies = replies(topics)) {
      CompletableFuture<RecallOutcome> outcome = replies.recall(publisher, recall(1));
      publisher.flush();
      UpcallRequest sent = published(topics);
      assertThat(sent.getRecallTimeoutSeconds()).isEqualTo(60);
      assertThat(sent.getBrick()).isEqualTo(BRICK);
      assertThat(sent.getRequestId()).startsWith(BRICK + "/");

      answer(topics, sent, true);

      RecallOutcome result = outcome.get(30, TimeUnit.SECONDS);
      assertThat(result.status()).isEqualTo(RecallOutcome.Status.RELEASED);
      assertThat(result.requestId()).isEqualTo(sent.getRequestId());
      assertThat(result.client()).isEqualTo(CLIENT);
      assertThat(replies.pendingRecalls()).isZero();
    }
  }

  @Test
  void aRecallNobodyAnswersTimesOutAndALateAnswerIsOnlyCounted() throws Exception {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    try (BrickPublisher publisher = publisher(topics);
        LeaseRecallReplies replies = replies(topics)) {
      long start = System.nanoTime();
      CompletableFuture<RecallOutcome> outcome =
          replies.recall(
              publisher, UpcallRequest.newBuilder(recall(2)).setRecallTimeoutSeconds(1).build());

      RecallOutcome result = outcome.get(30, TimeUnit.SECONDS);
      assertThat(result.status()).isEqualTo(RecallOutcome.Status.TIMED_OUT);
      assertThat(result.reply()).isNull();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(900));

      answer(topics, published(topics), false);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (replies.unmatchedReplies() == 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      assertThat(replies.unmatchedReplies()).isEqualTo(1);
      assertThat(outcome.get().status()).isEqualTo(RecallOutcome.Status.TIMED_OUT);
    }
  }

  @Test
  void aRefusalIsNotARelease() throws Exception {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    try (BrickPublisher publisher = publisher(topics);
        LeaseRecallReplies replies = replies(topics)) {
      CompletableFuture<RecallOutcome> outcome = replies.recall(publisher, recall(3));
      publisher.flush();

      answer(topics, published(topics), false);

      assertThat(outcome.get(30, TimeUnit.SECONDS).status())
          .isEqualTo(RecallOutcome.Status.NOT_RELEASED);
    }
  }

  @Test
  void theRepliesPartitionIsWhereKafkasDefaultPartitionerPutsTheBrickKey() {
    for (int n = 0; n < 200; n++) {
      String brick = "server" + n + ":/bricks/vol0/brick" + n;
      for (int partitions : new int[] {1, 4, 12, 13}) {
        assertThat(LeaseRecallReplies.partitionOf(brick, partitions))
            .as("%s of %d", brick, partitions)
            .isEqualTo(
                BuiltInPartitioner.partitionForKey(
                    brick.getBytes(StandardCharsets.UTF_8), partitions));
      }
    }
  }

  @Test
  void aBadRequestIsRefusedNamingTheFieldAndNothingIsSent() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    try (BrickPublisher publisher = publisher(topics);
        LeaseRecallReplies replies = replies(topics)) {
      assertThatThrownBy(
              () -> publisher.request(UpcallRequest.newBuilder(recall(4)).setClient("").build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("client must not be empty");
      assertThatThrownBy(
              () ->
                  replies.recall(
                      publisher,
                      UpcallRequest.newBuilder(recall(4))
                          .setType(UpcallRequestType.INODELK_CONTENTION)
                          .build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("type must be LEASE_RECALL, was INODELK_CONTENTION");
      assertThatThrownBy(
              () ->
                  publisher.request(UpcallRequest.newBuilder(recall(4)).setBrick("other").build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("brick 'other' differs");
      assertThat(publisher.metrics().refused()).isEqualTo(2);
      assertThat(replies.pendingRecalls()).isZero();
    }
    assertThat(FopsTopic.readAll(kafka.bootstrapServers(), topics.fops())).isEmpty();
  }
}
