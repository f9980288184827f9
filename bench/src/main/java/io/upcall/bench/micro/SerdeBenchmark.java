package io.upcall.bench.micro;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Invalidation;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeRole;
import io.upcall.bench.BenchSettings;
import io.upcall.producers.load.FopGenerator;
import io.upcall.schemas.serde.UpcallSerdes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one record costs to (de)serialize in Upcall's encoding (Avro single-object): a WRITE fop as the load generator
 * makes it (with its post-op stat), the inode event that crosses the repartition, and one client's invalidation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SerdeBenchmark {
  private final Serializer<SpecificRecord> fopsSerializer = UpcallSerdes.fopsTopic().serializer();
  private final Deserializer<SpecificRecord> fopsDeserializer =
      UpcallSerdes.fopsTopic().deserializer();
  private final Serializer<InodeEvent> eventSerializer = UpcallSerdes.inodeEvent().serializer();
  private final Deserializer<InodeEvent> eventDeserializer =
      UpcallSerdes.inodeEvent().deserializer();
  private final Serializer<Invalidation> invalidationSerializer =
      UpcallSerdes.invalidation().serializer();
  private FopRecord write;
  private byte[] writeBytes;
  private InodeEvent event;
  private byte[] eventBytes;
  private Invalidation invalidation;

  @Setup
  public void setUp() {
    FopGenerator generator = new FopGenerator(BenchSettings.PIPELINE_LOAD);
    long now = System.currentTimeMillis();
    while (write == null) {
      for (FopRecord fop : generator.next(now++)) {
        if (fop.getFop() == Fop.WRITE) {
          write = fop;
        }
      }
    }
    writeBytes = fopsSerializer.serialize("upcall.fops", write);
    event = new InodeEvent(InodeRole.TARGET, write, write.getFopId());
    eventBytes = eventSerializer.serialize("inode-events", event);
    invalidation =
        Invalidation.newBuilder()
            .setClient(generator.clients().get(7))
            .setGfid(write.getGfid())
            .setFlags(0x18)
            .setVolume(write.getVolume())
            .setStat(write.getStat())
            .setParent(null)
            .setParentStat(null)
            .setOldParent(null)
            .setOldParentStat(null)
            .setXattrs(List.of())
            .setExpireTimeSeconds(60)
            .setEventTimeMs(write.getEventTimeMs())
            .setBrick(write.getBrick())
            .setCauseFopId(write.getFopId())
            .build();
  }

  @Benchmark
  public byte[] fopRecordSerialize() {
    return fopsSerializer.serialize("upcall.fops", write);
  }

  @Benchmark
  public SpecificRecord fopRecordDeserialize() {
    return fopsDeserializer.deserialize("upcall.fops", writeBytes);
  }

  @Benchmark
  public byte[] inodeEventSerialize() {
    return eventSerializer.serialize("inode-events", event);
  }

  @Benchmark
  public InodeEvent inodeEventDeserialize() {
    return eventDeserializer.deserialize("inode-events", eventBytes);
  }

  @Benchmark
  public byte[] invalidationSerialize() {
    return invalidationSerializer.serialize("upcall.invalidations", invalidation);
  }
}
