package io.upcall.streams;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** Fop records and stats for tests: a few named inodes and helpers that read like docs/semantics.md. */
final class Fops {
  /** A whole second, so second arithmetic in tests is plain. */
  static final long T0 = 1_700_000_000_000L;

  static final Gfid DIR = gfid(1);
  static final Gfid OTHER_DIR = gfid(2);
  static final Gfid FILE = gfid(3);
  static final Gfid ENTRY = gfid(4);
  static final Gfid VICTIM = gfid(5);

  private Fops() {}

  static Gfid gfid(long n) {
    return Gfids.of(new UUID(0x5eed, n));
  }

  /** A stat whose size names it, so a test can tell which stat went where. */
  static Iatt stat(long size) {
    return Iatt.newBuilder()
        .setType(IaType.REG)
        .setMode(0644)
        .setUid(0)
        .setGid(0)
        .setNlink(1)
        .setSize(size)
        .setBlocks(0)
        .setAtimeSec(0)
        .setAtimeNsec(0)
        .setMtimeSec(0)
        .setMtimeNsec(0)
        .setCtimeSec(0)
        .setCtimeNsec(0)
        .build();
  }

  static FopRecord.Builder fop(Fop fop, String client, Gfid gfid, long eventTimeMs) {
    return FopRecord.newBuilder()
        .setVolume("vol")
        .setBrick("brick-1")
        .setFop(fop)
        .setClient(client)
        .setGfid(gfid)
        .setEventTimeMs(eventTimeMs);
  }

  static Xattr xattr(String name, String value) {
    return new Xattr(
        name, value == null ? null : ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
  }

  static List<String> names(Invalidation invalidation) {
    return invalidation.getXattrs().stream().map(Xattr::getName).toList();
  }

  /** "client gfid# FLAGS" with the gfid's low number, e.g. "B 3 SIZE|TIMES": what most assertions compare. */
  static String brief(Invalidation invalidation) {
    long n = Gfids.toUuid(invalidation.getGfid()).getLeastSignificantBits();
    return invalidation.getClient() + " " + n + " " + UpcallFlag.format(invalidation.getFlags());
  }

  static List<String> brief(List<Invalidation> invalidations) {
    return invalidations.stream().map(Fops::brief).toList();
  }
}
