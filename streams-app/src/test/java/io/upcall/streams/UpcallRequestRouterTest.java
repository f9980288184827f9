package io.upcall.streams;

import static io.upcall.streams.Fops.FILE;
import static io.upcall.streams.Fops.OTHER_DIR;
import static io.upcall.streams.Fops.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Gfid;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.UpcallEventType;
import io.upcall.avro.UpcallRequest;
import io.upcall.avro.UpcallRequestType;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallEventHeader;
import io.upcall.schemas.serde.UpcallSerdes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Directed upcalls through the production topology: routed to their client, contention notices spaced. */
class UpcallRequestRouterTest {
  private static final String HOLDER = "holder";

  /** The production topology with brick requests in and everything the invalidation topic carries out. */
  private static final class Requests implements AutoCloseable {
    final UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS);
    final TestInputTopic<String, SpecificRecord> in =
        driver
            .driver()
            .createInputTopic(
                UpcallDriver.TOPICS.fops(),
                new StringSerializer(),
                UpcallSerdes.fopsTopic().serializer());
    final TestOutputTopic<String, SpecificRecord> out =
        driver
            .driver()
            .createOutputTopic(
                UpcallDriver.TOPICS.invalidations(),
                new StringDeserializer(),
                UpcallSerdes.invalidationsTopic().deserializer());

    void pipe(UpcallRequest request) {
      in.pipeInput(Gfids.format(request.getGfid()), request, request.getEventTimeMs());
    }

    List<UpcallEvent> events() {
      return out.readValuesToList().stream()
          .filter(UpcallEvent.class::isInstance)
          .map(UpcallEvent.class::cast)
          .toList();
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  private static UpcallRequest request(UpcallRequestType type, Gfid gfid, long eventTimeMs) {
    return UpcallRequest.newBuilder()
        .setRequestId("b1/" + eventTimeMs)
        .setVolume("vol1")
        .setBrick("b1")
        .setClient(HOLDER)
        .setGfid(gfid)
        .setEventTimeMs(eventTimeMs)
        .setType(type)
        .setLockOwner("owner-1")
        .setDomain("vol1-replicate-0")
        .build();
  }

  private static List<Long> times(List<UpcallEvent> events) {
    return events.stream().map(e -> e.getEventTimeMs() - T0).toList();
  }

  @Test
  void aLeaseRecallReachesTheHolderKeyedByItsUidWithItsDeadline() {
    try (Requests requests = new Requests()) {
      requests.pipe(
          UpcallRequest.newBuilder(request(UpcallRequestType.LEASE_RECALL, FILE, T0))
              .setLeaseId("lease-7")
              .build());

      List<TestRecord<String, SpecificRecord>> out = requests.out.readRecordsToList();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).key()).isEqualTo(HOLDER);
      assertThat(
              new String(
                  out.get(0).headers().lastHeader(UpcallEventHeader.NAME).value(),
                  StandardCharsets.UTF_8))
          .isEqualTo("LEASE_RECALL");
      UpcallEvent event = (UpcallEvent) out.get(0).value();
      assertThat(event.getEventType()).isEqualTo(UpcallEventType.LEASE_RECALL);
      assertThat(event.getRequestId()).isEqualTo("b1/" + T0);
      assertThat(event.getBrick()).isEqualTo("b1");
      assertThat(event.getGfid()).isEqualTo(FILE);
      assertThat(event.getRecall().getLeaseId()).isEqualTo("lease-7");
      assertThat(event.getRecall().getTimeoutSeconds()).isEqualTo(60);
      assertThat(event.getDeadlineMs()).isEqualTo(T0 + 60_000);
      assertThat(event.getContention()).isNull();
    }
  }

  @Test
  void contentionNoticesForOneInodeAreSpacedByTheDelayInEventTime() {
    try (Requests requests = new Requests()) {
      for (long at : new long[] {0, 1_000, 4_999, 5_000, 7_000, 9_999, 10_000}) {
        requests.pipe(request(UpcallRequestType.INODELK_CONTENTION, FILE, T0 + at));
      }

      List<UpcallEvent> events = requests.events();
      assertThat(times(events)).containsExactly(0L, 5_000L, 10_000L);
      assertThat(events)
          .allSatisfy(
              e -> {
                assertThat(e.getEventType()).isEqualTo(UpcallEventType.INODELK_CONTENTION);
                assertThat(e.getContention().getLockOwner()).isEqualTo("owner-1");
                assertThat(e.getContention().getDomain()).isEqualTo("vol1-replicate-0");
              });
    }
  }

  @Test
  void anotherInodeOrLockTypeHasItsOwnSpacingAndRecallsAreNeverHeldBack() {
    try (Requests requests = new Requests()) {
      requests.pipe(request(UpcallRequestType.INODELK_CONTENTION, FILE, T0));
      requests.pipe(request(UpcallRequestType.INODELK_CONTENTION, OTHER_DIR, T0 + 1));
      requests.pipe(
          UpcallRequest.newBuilder(request(UpcallRequestType.ENTRYLK_CONTENTION, FILE, T0 + 2))
              .setBasename("f")
              .build());
      requests.pipe(request(UpcallRequestType.LEASE_RECALL, FILE, T0 + 3));
      requests.pipe(request(UpcallRequestType.LEASE_RECALL, FILE, T0 + 4));
      requests.pipe(request(UpcallRequestType.INODELK_CONTENTION, FILE, T0 + 5));

      assertThat(requests.events())
          .extracting(e -> e.getEventType() + "@" + (e.getEventTimeMs() - T0))
          .containsExactly(
              "INODELK_CONTENTION@0",
              "INODELK_CONTENTION@1",
              "ENTRYLK_CONTENTION@2",
              "LEASE_RECALL@3",
              "LEASE_RECALL@4");
    }
  }

  @Test
  void theDelayIsSetAtRuntimeThroughTheConfigTopicAndABadValueIsIgnored() {
    try (Requests requests = new Requests()) {
      requests.driver.set(Switches.NOTIFY_CONTENTION_DELAY, "1");
      requests.driver.set(Switches.NOTIFY_CONTENTION_DELAY, "soon"); // rejected: 1 stays
      for (long at : new long[] {0, 500, 1_000, 1_500, 2_000}) {
        requests.pipe(request(UpcallRequestType.INODELK_CONTENTION, FILE, T0 + at));
      }
      assertThat(times(requests.events())).containsExactly(0L, 1_000L, 2_000L);

      requests.driver.set(Switches.NOTIFY_CONTENTION_DELAY, "0");
      requests.pipe(request(UpcallRequestType.INODELK_CONTENTION, FILE, T0 + 2_001));
      requests.pipe(request(UpcallRequestType.INODELK_CONTENTION, FILE, T0 + 2_002));
      assertThat(times(requests.events())).containsExactly(2_001L, 2_002L);
    }
  }

  @Test
  void aRequestThatBreaksTheContractIsDeadLetteredNamingTheField() {
    try (Requests requests = new Requests()) {
      requests.pipe(
          UpcallRequest.newBuilder(request(UpcallRequestType.LEASE_RECALL, FILE, T0))
              .setClient("")
              .build());

      assertThat(requests.events()).isEmpty();
      var dead = requests.driver.deadLetters();
      assertThat(dead).hasSize(1);
      assertThat(
              new String(
                  dead.get(0).headers().lastHeader(FopValidator.REASON_HEADER).value(),
                  StandardCharsets.UTF_8))
          .startsWith("client must not be empty");
    }
  }

  @Test
  void theOptionIsValidatedAtStartAndByTheSharedSwitchParsing() {
    assertThat(new UpcallStreamsConfig(Map.of()).switches().notifyContentionDelaySeconds())
        .isEqualTo(5);
    assertThat(
            new UpcallStreamsConfig(Map.of(Switches.NOTIFY_CONTENTION_DELAY, "2"))
                .switches()
                .notifyContentionDelaySeconds())
        .isEqualTo(2);
    assertThatThrownBy(
            () -> new UpcallStreamsConfig(Map.of(Switches.NOTIFY_CONTENTION_DELAY, "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(Switches.NOTIFY_CONTENTION_DELAY);
    assertThat(Switches.canonical(Switches.NOTIFY_CONTENTION_DELAY, " 7 ")).isEqualTo("7");
    assertThatThrownBy(() -> Switches.canonical(Switches.NOTIFY_CONTENTION_DELAY, "soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("notify-contention-delay must be a whole number of seconds >= 0, got 'soon'");
  }
}
