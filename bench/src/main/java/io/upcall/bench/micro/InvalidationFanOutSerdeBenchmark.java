package io.upcall.bench.micro;

import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.streams.SharedChangeSerializer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Serializing one change's invalidations for all its recipients: the built-in serializer encodes each record,
 * {@link SharedChangeSerializer} encodes the change once and copies it behind each client uid (same bytes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class InvalidationFanOutSerdeBenchmark {
  /** Recipients of the change. */
  @Param({"1", "100"})
  public int recipients;

  private final Serializer<Invalidation> builtIn = UpcallSerdes.invalidation().serializer();
  private final Serializer<Invalidation> shared =
      SharedChangeSerializer.of(UpcallSerdes.invalidation());
  private Invalidation[] forClients;

  @Setup
  public void setUp() {
    Gfid gfid = Gfids.of(new UUID(3, 4));
    Iatt stat =
        Iatt.newBuilder()
            .setType(IaType.REG)
            .setMode(0644)
            .setUid(1000)
            .setGid(1000)
            .setNlink(1)
            .setSize(1 << 20)
            .setBlocks(2048)
            .setAtimeSec(1_700_000_000L)
            .setAtimeNsec(1)
            .setMtimeSec(1_700_000_000L)
            .setMtimeNsec(2)
            .setCtimeSec(1_700_000_000L)
            .setCtimeNsec(3)
            .build();
    forClients = new Invalidation[recipients];
    for (int i = 0; i < recipients; i++) {
      String client =
          "CTX_ID:5a6b7c8d-1111-4222-8333-"
              + String.format("%012d", i)
              + "-GRAPH_ID:0-PID:4242-HOST:client"
              + i
              + "-PC_NAME:vol0-client-0-RECON_NO:-0";
      forClients[i] =
          Invalidation.newBuilder()
              .setClient(client)
              .setGfid(gfid)
              .setFlags(0x18)
              .setVolume("vol0")
              .setStat(stat)
              .setParent(null)
              .setParentStat(null)
              .setOldParent(null)
              .setOldParentStat(null)
              .setXattrs(List.of())
              .setExpireTimeSeconds(60)
              .setEventTimeMs(1_700_000_000_123L)
              .setBrick("server1:/bricks/vol0/brick1")
              .setCauseFopId("load-2a-123456")
              .build();
    }
  }

  @Benchmark
  public void builtInSerializer(Blackhole sink) {
    for (Invalidation invalidation : forClients) {
      sink.consume(builtIn.serialize("upcall.invalidations", invalidation));
    }
  }

  @Benchmark
  public void sharedBodySerializer(Blackhole sink) {
    for (Invalidation invalidation : forClients) {
      sink.consume(shared.serialize("upcall.invalidations", invalidation));
    }
  }
}
