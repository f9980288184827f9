package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.LeaseRecall;
import io.upcall.avro.LeaseRecallReply;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.UpcallEventType;
import io.upcall.schemas.Gfids;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class UpcallEventDispatcherTest {
  private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(5_000));

  private final List<LeaseRecallReply> sent = new ArrayList<>();

  /** Where answers go: the real client hands them to its reply producer. */
  private CompletableFuture<Void> sender(LeaseRecallReply reply) {
    sent.add(reply);
    return CompletableFuture.completedFuture(null);
  }

  private static UpcallEvent event(UpcallEventType type) {
    return UpcallEvent.newBuilder()
        .setEventType(type)
        .setClient("me")
        .setVolume("v")
        .setBrick("b1")
        .setGfid(Gfids.of(new UUID(1, 2)))
        .setEventTimeMs(1_000)
        .setRequestId("b1/7")
        .setDeadlineMs(61_000L)
        .setRecall(type == UpcallEventType.LEASE_RECALL ? new LeaseRecall("lease-1", 60) : null)
        .build();
  }

  @Test
  void aTypeThisClientDoesNotHandleIsCountedAsUnknownAndReachesNoListener() {
    List<Object> heard = new ArrayList<>();
    UpcallEventDispatcher dispatcher =
        new UpcallEventDispatcher(
            "me", (recall, reply) -> heard.add(recall), heard::add, this::sender, CLOCK);

    dispatcher.dispatch(event(UpcallEventType.UNKNOWN));
    dispatcher.dispatch(event(UpcallEventType.CACHE_INVALIDATION));

    assertThat(heard).isEmpty();
    assertThat(dispatcher.unknownEvents()).isEqualTo(2);
    assertThat(dispatcher.events()).isZero();
  }

  @Test
  void aRecallIsAnsweredOnceWithTheRequestIdForTheBrickThatAsked() throws Exception {
    List<RecallReply> handles = new ArrayList<>();
    List<LeaseRecallRequest> recalls = new ArrayList<>();
    UpcallEventDispatcher dispatcher =
        new UpcallEventDispatcher(
            "me",
            (recall, reply) -> {
              recalls.add(recall);
              handles.add(reply);
            },
            null,
            this::sender,
            CLOCK);

    dispatcher.dispatch(event(UpcallEventType.LEASE_RECALL));
    handles.get(0).released().get();

    assertThat(recalls.get(0).deadline()).isEqualTo(Instant.ofEpochMilli(61_000));
    assertThat(recalls.get(0).leaseId()).isEqualTo("lease-1");
    assertThat(sent)
        .singleElement()
        .satisfies(
            reply -> {
              assertThat(reply.getRequestId()).isEqualTo("b1/7");
              assertThat(reply.getBrick()).isEqualTo("b1");
              assertThat(reply.getClient()).isEqualTo("me");
              assertThat(reply.getReleased()).isTrue();
              assertThat(reply.getAtMs()).isEqualTo(5_000);
            });
    assertThatThrownBy(() -> handles.get(0).notReleased().get())
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("recall b1/7 was already answered");
    assertThat(sent).hasSize(1);
  }

  @Test
  void aFailingListenerIsCountedAndTheNextEventStillArrives() {
    List<LockContention> heard = new ArrayList<>();
    UpcallEventDispatcher dispatcher =
        new UpcallEventDispatcher(
            "me",
            null,
            contention -> {
              heard.add(contention);
              throw new IllegalStateException("listener bug");
            },
            this::sender,
            CLOCK);

    dispatcher.dispatch(event(UpcallEventType.INODELK_CONTENTION));
    dispatcher.dispatch(event(UpcallEventType.ENTRYLK_CONTENTION));

    assertThat(heard).extracting(LockContention::entryLock).containsExactly(false, true);
    assertThat(dispatcher.listenerFailures()).isEqualTo(2);
    assertThat(dispatcher.events()).isEqualTo(2);
  }
}
