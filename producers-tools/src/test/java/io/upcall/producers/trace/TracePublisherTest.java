package io.upcall.producers.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.XattrInterest;
import io.upcall.producers.FopsTopic;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.schemas.trace.TraceFormatException;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TracePublisherTest {
  private static final String A =
      "CTX_ID:aaaaaaaa-0000-4000-8000-000000000001-GRAPH_ID:0-PID:11-HOST:a-PC_NAME:vol0-client-0-RECON_NO:-0";
  private static final String B =
      "CTX_ID:bbbbbbbb-0000-4000-8000-000000000002-GRAPH_ID:0-PID:22-HOST:b-PC_NAME:vol0-client-0-RECON_NO:-0";
  private static final long TS = System.currentTimeMillis();

  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  private final List<String> reported = new ArrayList<>();

  private TracePublisher.Builder publisher(UpcallTopics topics) {
    return TracePublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .topics(topics)
        .errors(reported::add);
  }

  private static String line(long offset, String client, String rest) {
    return "{\"ts\": " + (TS + offset) + ", \"client\": \"" + client + "\", " + rest + "}\n";
  }

  @Test
  void fopsGoToTheFopsTopicPerBrickAndRegistrationsToTheInterestTopic() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    String trace =
        line(0, B, "\"fop\": \"REGISTER_XATTRS\", \"xattrs\": [\"user.*\"]")
            + line(
                1,
                A,
                "\"fop\": \"CREATE\", \"gfid\": \"f1\", \"parent\": \"root\", \"brick\": \"s1:/b1\", \"volume\": \"vol0\"")
            + "\n"
            + line(
                2,
                A,
                "\"fop\": \"WRITE\", \"gfid\": \"f1\", \"brick\": \"s2:/b2\", \"volume\": \"vol0\"")
            + line(
                3,
                A,
                "\"fop\": \"SETXATTR\", \"gfid\": \"f1\", \"xattrs\": [\"user.tag\"], \"brick\": \"s1:/b1\", \"volume\": \"vol0\"")
            + line(4, B, "\"fop\": \"LOOKUP\", \"gfid\": \"f1\"");

    TraceSummary summary = publisher(topics).build().publish(new StringReader(trace));

    assertThat(summary.fops()).isEqualTo(4);
    assertThat(summary.registrations()).isEqualTo(1);
    assertThat(summary.malformed()).isZero();
    assertThat(summary.failed()).isZero();
    assertThat(summary.bricks()).as("s1, s2 and the default 'trace' brick").isEqualTo(3);
    List<FopRecord> fops =
        FopsTopic.readAll(kafka.bootstrapServers(), topics.fops()).stream()
            .map(ConsumerRecord::value)
            .filter(FopRecord.class::isInstance)
            .map(FopRecord.class::cast)
            .sorted((x, y) -> Long.compare(x.getEventTimeMs(), y.getEventTimeMs()))
            .collect(Collectors.toList());
    assertThat(fops)
        .extracting(FopRecord::getFop)
        .containsExactly(Fop.CREATE, Fop.WRITE, Fop.SETXATTR, Fop.LOOKUP);
    assertThat(fops)
        .extracting(FopRecord::getBrick)
        .containsExactly("s1:/b1", "s2:/b2", "s1:/b1", "trace");
    assertThat(fops)
        .extracting(FopRecord::getFopId)
        .containsExactly("trace:2", "trace:4", "trace:5", "trace:6");
    assertThat(fops.get(0).getGfid()).isEqualTo(fops.get(3).getGfid());
    List<ConsumerRecord<String, XattrInterest>> interest =
        FopsTopic.readAll(
            kafka.bootstrapServers(),
            topics.xattrInterest(),
            UpcallSerdes.xattrInterest().deserializer());
    assertThat(interest).hasSize(1);
    assertThat(interest.get(0).key()).isEqualTo(B);
    assertThat(interest.get(0).value().getPatterns()).containsExactly("user.*");
  }

  @Test
  void malformedLinesAreReportedWithTheirNumbersSkippedAndCounted() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    String trace =
        line(0, A, "\"fop\": \"MKDIR\", \"gfid\": \"d1\", \"parent\": \"root\"")
            + "{\"ts\": 12, \"client\": \n"
            + line(2, A, "\"fop\": \"CREATE\", \"gfid\": \"f1\"")
            + line(3, A, "\"fop\": \"FROBNICATE\", \"gfid\": \"f1\"")
            + line(4, A, "\"fop\": \"UNLINK\", \"gfid\": \"f2\", \"parent\": \"d1\", \"nlink\": 0");

    TraceSummary summary = publisher(topics).build().publish(new StringReader(trace));

    assertThat(summary.malformed()).isEqualTo(3);
    assertThat(summary.fops()).isEqualTo(2);
    assertThat(reported).hasSize(3);
    assertThat(reported.get(0)).startsWith("line 2: not valid JSON").endsWith("(skipped)");
    assertThat(reported.get(1)).isEqualTo("line 3: parent is required for CREATE (skipped)");
    assertThat(reported.get(2)).startsWith("line 4: unknown fop 'FROBNICATE'");
    assertThat(FopsTopic.readAll(kafka.bootstrapServers(), topics.fops()))
        .extracting(r -> fop(r))
        .containsExactlyInAnyOrder(Fop.MKDIR, Fop.UNLINK);
  }

  @Test
  void abortStopsAtTheFirstMalformedLineAfterPublishingTheLinesBeforeIt() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    String trace =
        line(0, A, "\"fop\": \"STAT\", \"gfid\": \"f1\"")
            + line(1, A, "\"fop\": \"RENAME\", \"gfid\": \"f1\", \"parent\": \"d1\"")
            + line(2, A, "\"fop\": \"STAT\", \"gfid\": \"f1\"");

    assertThatThrownBy(
            () ->
                publisher(topics)
                    .onError(TracePublisher.OnError.ABORT)
                    .build()
                    .publish(new StringReader(trace)))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("line 2: newParent is required for RENAME");
    List<ConsumerRecord<String, SpecificRecord>> published =
        FopsTopic.readAll(kafka.bootstrapServers(), topics.fops());
    assertThat(published).hasSize(1);
    assertThat(published.get(0).key())
        .isEqualTo(Gfids.format(((FopRecord) published.get(0).value()).getGfid()));
  }

  private static Fop fop(ConsumerRecord<String, SpecificRecord> record) {
    return ((FopRecord) record.value()).getFop();
  }
}
