package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.UpcallTopics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UpcallSerdesThroughBrokerTest {

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @Test
  void fopRecordsAndHeartbeatsShareTheFopsTopicAndComeBackAsTheirOwnTypes() {
    UpcallTopics topics = kafka.uniqueTopics();
    UUID gfid = UUID.randomUUID();
    FopRecord write =
        FopRecord.newBuilder()
            .setVolume("vol1")
            .setBrick("server1:/bricks/b1")
            .setFop(Fop.WRITE)
            .setClient("client-a")
            .setGfid(Gfids.of(gfid))
            .setEventTimeMs(1_700_000_000_123L)
            .setTxId("client-a/42")
            .build();
    BrickHeartbeat heartbeat =
        BrickHeartbeat.newBuilder()
            .setVolume("vol1")
            .setBrick("server1:/bricks/b1")
            .setEventTimeMs(1_700_000_000_500L)
            .setSequence(7)
            .build();

    try (KafkaProducer<String, SpecificRecord> producer =
        producer(UpcallSerdes.fopsTopic().serializer())) {
      producer.send(new ProducerRecord<>(topics.fops(), 0, gfid.toString(), write));
      producer.send(new ProducerRecord<>(topics.fops(), 0, "heartbeat", heartbeat));
    }

    List<ConsumerRecord<String, SpecificRecord>> records =
        Records.consume(
            kafka.bootstrapServers(),
            topics.fops(),
            2,
            Map.of(),
            UpcallSerdes.fopsTopic().deserializer());
    assertThat(records).extracting(ConsumerRecord::value).containsExactly(write, heartbeat);
    assertThat(records.get(0).key()).isEqualTo(gfid.toString());
    assertThat(Gfids.toUuid(((FopRecord) records.get(0).value()).getGfid())).isEqualTo(gfid);
  }

  @Test
  void invalidationsRoundTripKeyedByClientUid() {
    UpcallTopics topics = kafka.uniqueTopics();
    Invalidation invalidation =
        Invalidation.newBuilder()
            .setClient("client-b")
            .setGfid(Gfids.of(UUID.randomUUID()))
            .setFlags(UpcallFlag.mask(UpcallFlag.SIZE, UpcallFlag.TIMES))
            .setExpireTimeSeconds(60)
            .setEventTimeMs(1_700_000_001_000L)
            .setCauseFopId("fop-1")
            .build();

    try (KafkaProducer<String, Invalidation> producer =
        producer(UpcallSerdes.invalidation().serializer())) {
      producer.send(
          new ProducerRecord<>(topics.invalidations(), invalidation.getClient(), invalidation));
    }

    List<ConsumerRecord<String, Invalidation>> records =
        Records.consume(
            kafka.bootstrapServers(),
            topics.invalidations(),
            1,
            Map.of(),
            UpcallSerdes.invalidation().deserializer());
    assertThat(records)
        .singleElement()
        .satisfies(
            record -> {
              assertThat(record.key()).isEqualTo("client-b");
              assertThat(record.value()).isEqualTo(invalidation);
              assertThat(UpcallFlag.names(record.value().getFlags()))
                  .containsExactly("SIZE", "TIMES");
            });
  }

  private static <V> KafkaProducer<String, V> producer(Serializer<V> values) {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new StringSerializer(), values);
  }
}
