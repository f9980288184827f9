package io.upcall.bench.micro;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.schemas.Gfids;
import io.upcall.streams.StandaloneProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one inode event costs the upcall processor on its real stores (RocksDB, as the app runs them, without
 * changelogs or the record cache): a read in a second already recorded (lookups only), a read that moves the
 * second on (a store write), and a write that notifies every tracked client of a hot inode. The processor runs
 * through {@link StandaloneProcessor}, the app's public way in for such measurements.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class StateUpdateBenchmark {
  private static final int COLD_INODES = 4_096;

  /** Clients tracked on the hot inode, all fresh: the write notifies each of them. */
  @Param({"10", "1000"})
  public int trackedClients;

  private Path stateDir;
  private StandaloneProcessor processor;
  private final Gfid hot = Gfids.of(new UUID(0x4, 0x2));
  private final Gfid[] cold = new Gfid[COLD_INODES];
  private long clock;
  private int next;
  private FopRecord readInSameSecond;
  private FopRecord write;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    stateDir = Files.createTempDirectory("upcall-jmh-state");
    processor = StandaloneProcessor.open(stateDir);

    long t0 = System.currentTimeMillis() / 1000 * 1000;
    clock = t0;
    for (int i = 0; i < cold.length; i++) {
      cold[i] = Gfids.of(new UUID(0x5, i));
    }
    for (int i = 0; i < trackedClients; i++) {
      processor.process(fop(Fop.LOOKUP, client(i), hot, t0).build());
    }
    readInSameSecond = fop(Fop.LOOKUP, client(0), hot, t0 + 500).build();
    write =
        fop(Fop.WRITE, "writer", hot, t0 + 500)
            .setStat(
                Iatt.newBuilder()
                    .setType(IaType.REG)
                    .setMode(0644)
                    .setUid(0)
                    .setGid(0)
                    .setNlink(1)
                    .setSize(4096)
                    .setBlocks(8)
                    .setAtimeSec(t0 / 1000)
                    .setAtimeNsec(0)
                    .setMtimeSec(t0 / 1000)
                    .setMtimeNsec(0)
                    .setCtimeSec(t0 / 1000)
                    .setCtimeNsec(0)
                    .build())
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    processor.close();
    try (Stream<Path> files = Files.walk(stateDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** A read by a client already recorded in this second: two lookups (latest change, last access), no write. */
  @Benchmark
  public int readInTheSameSecond() {
    return processor.process(readInSameSecond);
  }

  /** A read that moves a client's second on: two lookups and one store write. */
  @Benchmark
  public int readInANewSecond() {
    Gfid inode = cold[next++ & (COLD_INODES - 1)];
    if ((next & (COLD_INODES - 1)) == 0) {
      clock += 1_000;
    }
    return processor.process(fop(Fop.LOOKUP, "reader", inode, clock).build());
  }

  /** A write to the hot inode: a scan of its tracked clients, one invalidation each, the latest change stored. */
  @Benchmark
  public int writeNotifyingEveryTrackedClient() {
    return processor.process(write);
  }

  private static String client(int i) {
    return String.format(
        "CTX_ID:%08x-1111-4222-8333-944455556666-GRAPH_ID:0-PID:%d-HOST:client%d-PC_NAME:vol0-client-0"
            + "-RECON_NO:-0",
        i, 1000 + i, i);
  }

  private static FopRecord.Builder fop(Fop fop, String client, Gfid inode, long eventTimeMs) {
    return FopRecord.newBuilder()
        .setVolume("vol0")
        .setBrick("server1:/bricks/vol0/brick1")
        .setFop(fop)
        .setClient(client)
        .setGfid(inode)
        .setEventTimeMs(eventTimeMs)
        .setEntries(List.of())
        .setXattrs(List.of())
        .setFopId("load-1-" + eventTimeMs);
  }
}
