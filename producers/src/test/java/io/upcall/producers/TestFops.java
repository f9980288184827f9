package io.upcall.producers;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.schemas.Gfids;
import java.util.List;
import java.util.UUID;

/** Small valid fop records for publisher tests. */
final class TestFops {
  static final String VOLUME = "vol0";
  static final String BRICK = "server1:/bricks/vol0/brick1";
  static final String CLIENT =
      "CTX_ID:5e0a6f6c-2b7e-4a55-9a1e-0c8d8b1e2f31-GRAPH_ID:0-PID:4242-HOST:client1-PC_NAME:vol0-client-0-RECON_NO:-0";

  /** Now, to the second: records far in the past would be deleted by the topic's time retention at once. */
  static final long T0 = System.currentTimeMillis() / 1000 * 1000;

  private TestFops() {}

  static Gfid gfid(int n) {
    return Gfids.of(new UUID(0x5eed_0000_0000_4000L, 0x8000_0000_0000_0000L | n));
  }

  /** A WRITE of {@code gfid} completed at {@code eventTimeMs}, carrying {@code fopId}. */
  static FopRecord write(Gfid gfid, long eventTimeMs, String fopId) {
    long seconds = Math.floorDiv(eventTimeMs, 1000);
    Iatt stat =
        new Iatt(IaType.REG, 0644, 1000, 1000, 1, 4096L, 8L, seconds, 0, seconds, 0, seconds, 0);
    FopRecord record = new FopRecord();
    record.setVolume(VOLUME);
    record.setBrick(BRICK);
    record.setFop(Fop.WRITE);
    record.setClient(CLIENT);
    record.setGfid(gfid);
    record.setEventTimeMs(eventTimeMs);
    record.setEntries(List.of());
    record.setXattrs(List.of());
    record.setFopId(fopId);
    record.setStat(stat);
    return record;
  }
}
