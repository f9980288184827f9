package io.upcall.streams;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.schemas.serde.UpcallSerdes;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Values of the inode repartition topic: {@link InodeEvent}s in the configured serde, and upstream progress as
 * {@link BrickHeartbeat}s, which carry the {@link UpstreamProgress#SOURCE_PARTITION_HEADER} that tells them apart.
 * Both ride one topic because only one partition keeps a heartbeat behind the events it covers.
 */
final class InodeStreamSerde
    implements Serde<SpecificRecord>, Serializer<SpecificRecord>, Deserializer<SpecificRecord> {
  private final Serde<InodeEvent> events;
  private final Serde<BrickHeartbeat> progress = UpcallSerdes.brickHeartbeat();

  InodeStreamSerde(Serde<InodeEvent> events) {
    this.events = events;
  }

  @Override
  public byte[] serialize(String topic, SpecificRecord data) {
    return serialize(topic, null, data);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, SpecificRecord data) {
    if (data == null || data instanceof InodeEvent) {
      return events.serializer().serialize(topic, headers, (InodeEvent) data);
    }
    if (data instanceof BrickHeartbeat heartbeat) {
      return progress.serializer().serialize(topic, headers, heartbeat);
    }
    throw new SerializationException(
        topic
            + ": cannot serialize "
            + data.getClass().getName()
            + ", only InodeEvent and BrickHeartbeat travel here");
  }

  @Override
  public SpecificRecord deserialize(String topic, byte[] data) {
    throw new UnsupportedOperationException("the inode stream is told apart by headers");
  }

  @Override
  public SpecificRecord deserialize(String topic, Headers headers, byte[] data) {
    if (headers != null && headers.lastHeader(UpstreamProgress.SOURCE_PARTITION_HEADER) != null) {
      return progress.deserializer().deserialize(topic, headers, data);
    }
    return events.deserializer().deserialize(topic, headers, data);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    events.configure(configs, isKey);
  }

  @Override
  public void close() {
    events.close();
  }

  @Override
  public Serializer<SpecificRecord> serializer() {
    return this;
  }

  @Override
  public Deserializer<SpecificRecord> deserializer() {
    return this;
  }
}
