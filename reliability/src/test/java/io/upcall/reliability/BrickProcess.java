package io.upcall.reliability;

import io.upcall.avro.Gfid;
import io.upcall.producers.BrickPublisher;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.topics.UpcallTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A brick as its own process, so a test can kill it without a farewell (SIGKILL: its publisher never closes).
 * Arguments: bootstrap servers, topic prefix, brick name, delivery timeout in ms, max block in ms, heartbeat interval
 * in ms. Writes a few files every 20 ms and prints {@value #READY} once its first write is acknowledged.
 */
public final class BrickProcess {
  static final String READY = "UPCALL-BRICK-READY";

  private BrickProcess() {}

  public static void main(String[] args) throws Exception {
    BrickPublisher brick =
        BrickPublisher.builder()
            .bootstrapServers(args[0])
            .topics(UpcallTopics.withPrefix(args[1]))
            .volume("vol")
            .brick(args[2])
            .deliveryTimeout(Duration.ofMillis(Long.parseLong(args[3])))
            .maxBlock(Duration.ofMillis(Long.parseLong(args[4])))
            .heartbeatInterval(Duration.ofMillis(Long.parseLong(args[5])))
            .build();
    Probe probe = new Probe(brick);
    List<Gfid> files = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      files.add(Gfids.of(UUID.randomUUID()));
    }
    String writer = "brick-process-writer-" + UUID.randomUUID();
    probe.write(writer, files.get(0), 1);
    System.out.println(READY);
    System.out.flush();
    for (long size = 2; ; size++) {
      probe.writeAsync(writer, files.get((int) (size % files.size())), size);
      Thread.sleep(20);
    }
  }
}
