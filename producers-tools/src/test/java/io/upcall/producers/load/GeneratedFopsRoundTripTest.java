package io.upcall.producers.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.producers.BrickPublisher;
import io.upcall.producers.FopsTopic;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.testkit.EmbeddedKafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The brick publisher under the generator's whole mix of fops: every record comes back through the serde intact. */
class GeneratedFopsRoundTripTest {
  private static final String VOLUME = "vol0";

  /** Now, to the second: records far in the past would be deleted by the topic's time retention at once. */
  private static final long T0 = System.currentTimeMillis() / 1000 * 1000;

  @RegisterExtension static final EmbeddedKafkaExtension kafka = EmbeddedKafkaExtension.shared();

  private BrickPublisher.Builder publisher(UpcallTopics topics) {
    return BrickPublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .volume(VOLUME)
        .topics(topics)
        .heartbeatInterval(Duration.ZERO);
  }

  @Test
  void recordsComeBackThroughTheAvroSerdeIntact() {
    UpcallTopics topics = FopsTopic.fresh(kafka, 4);
    LoadSpec spec =
        LoadSpec.builder()
            .volume(VOLUME)
            .bricks(1)
            .files(60)
            .directories(6)
            .readRatio(0.4)
            .seed(21)
            .build();
    FopGenerator generator = new FopGenerator(spec);
    List<FopRecord> published = new ArrayList<>();
    try (BrickPublisher publisher = publisher(topics).brick(generator.bricks().get(0)).build()) {
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        for (FopRecord record : generator.next(T0 + i)) {
          published.add(record);
          acks.add(publisher.publish(record));
        }
      }
      acks.forEach(CompletableFuture::join);
      assertThat(publisher.metrics().sent()).isEqualTo(published.size());
    }

    List<ConsumerRecord<String, SpecificRecord>> read =
        FopsTopic.readAll(kafka.bootstrapServers(), topics.fops());
    Map<String, FopRecord> byId = new HashMap<>();
    for (ConsumerRecord<String, SpecificRecord> record : read) {
      FopRecord fop = (FopRecord) record.value();
      assertThat(record.key()).isEqualTo(Gfids.format(fop.getGfid()));
      assertThat(record.timestamp()).isEqualTo(fop.getEventTimeMs());
      byId.put(fop.getFopId(), fop);
    }
    assertThat(read).hasSameSizeAs(published);
    for (FopRecord sent : published) {
      assertThat(byId.get(sent.getFopId())).isEqualTo(sent);
    }
    assertThat(published)
        .extracting(FopRecord::getFop)
        .contains(Fop.RENAME, Fop.READDIRP, Fop.SETXATTR, Fop.UNLINK, Fop.LINK, Fop.MKDIR);
  }
}
