package io.upcall.schemas.serde;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.ConfigChange;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Invalidation;
import io.upcall.avro.LeaseRecall;
import io.upcall.avro.LeaseRecallReply;
import io.upcall.avro.LockContention;
import io.upcall.avro.ProgressMark;
import io.upcall.avro.UpcallEvent;
import io.upcall.avro.UpcallEventType;
import io.upcall.avro.UpcallRequest;
import io.upcall.avro.UpcallRequestType;
import io.upcall.avro.Xattr;
import io.upcall.avro.XattrInterest;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.UpcallFlag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Records with every field set (and variants with optional fields left out) for serde tests. */
final class SampleRecords {
  private SampleRecords() {}

  static Gfid gfid(int n) {
    return Gfids.parse(String.format("00000000-0000-0000-0000-%012x", n));
  }

  static Iatt iatt(IaType type, long size) {
    return Iatt.newBuilder()
        .setType(type)
        .setMode(0644)
        .setUid(1000)
        .setGid(100)
        .setNlink(1)
        .setSize(size)
        .setBlocks((size + 511) / 512)
        .setAtimeSec(1_700_000_000L)
        .setAtimeNsec(1)
        .setMtimeSec(1_700_000_001L)
        .setMtimeNsec(999_999_999)
        .setCtimeSec(1_700_000_002L)
        .setCtimeNsec(42)
        .build();
  }

  static Xattr xattr(String name, String value) {
    return new Xattr(
        name, value == null ? null : ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
  }

  /** A RENAME over an existing entry: every optional field set, xattrs with and without values. */
  static FopRecord fullFop() {
    return FopRecord.newBuilder()
        .setVolume("vol1")
        .setBrick("server1:/bricks/b1")
        .setFop(Fop.RENAME)
        .setClient("client-a")
        .setGfid(gfid(10))
        .setEventTimeMs(1_700_000_000_123L)
        .setParent(gfid(1))
        .setNewParent(gfid(2))
        .setNlink(1)
        .setOverwritten(gfid(11))
        .setOverwrittenNlink(0)
        .setEntries(List.of(gfid(20), gfid(21)))
        .setXattrs(List.of(xattr("user.tag", "blue"), xattr("security.selinux", null)))
        .setModeChanged(true)
        .setTxId("client-a:77")
        .setFopId("server1:/bricks/b1:123")
        .setStat(iatt(IaType.REG, 4096))
        .setParentStat(iatt(IaType.DIR, 0))
        .setNewParentStat(iatt(IaType.DIR, 4096))
        .build();
  }

  /** A WRITE with every optional field left to its default. */
  static FopRecord minimalFop() {
    return FopRecord.newBuilder()
        .setVolume("vol1")
        .setBrick("b1")
        .setFop(Fop.WRITE)
        .setClient("client-b")
        .setGfid(gfid(12))
        .setEventTimeMs(1L)
        .build();
  }

  static BrickHeartbeat heartbeat() {
    return BrickHeartbeat.newBuilder()
        .setVolume("vol1")
        .setBrick("b1")
        .setEventTimeMs(1_700_000_000_000L)
        .setSequence(9)
        .setLeaving(true)
        .setDeliveryTimeoutMs(30_000)
        .setHeartbeatIntervalMs(500)
        .build(); // not the defaults, so reading an older version shows them
  }

  static Invalidation fullInvalidation() {
    return Invalidation.newBuilder()
        .setClient("client-b")
        .setGfid(gfid(10))
        .setFlags(UpcallFlag.mask(UpcallFlag.RENAME, UpcallFlag.PARENT_TIMES))
        .setVolume("vol1")
        .setStat(iatt(IaType.REG, 1))
        .setParent(gfid(2))
        .setParentStat(iatt(IaType.DIR, 2))
        .setOldParent(gfid(1))
        .setOldParentStat(iatt(IaType.DIR, 3))
        .setXattrs(List.of(xattr("user.a", "1"), xattr("user.b", null)))
        .setExpireTimeSeconds(60)
        .setEventTimeMs(1_700_000_000_123L)
        .setBrick("b1")
        .setCauseFopId("b1:123")
        .build();
  }

  static Invalidation minimalInvalidation() {
    return Invalidation.newBuilder()
        .setClient("c")
        .setGfid(gfid(3))
        .setFlags(UpcallFlag.FORGET.bit())
        .setExpireTimeSeconds(0)
        .setEventTimeMs(5)
        .build();
  }

  static ProgressMark progressMark() {
    return ProgressMark.newBuilder()
        .setTask("0_3")
        .setTaskCount(12)
        .setWatermarkMs(1_700_000_000_000L)
        .setEmittedAtMs(1_700_000_000_500L)
        .build();
  }

  static XattrInterest xattrInterest() {
    return XattrInterest.newBuilder()
        .setClient("client-a")
        .setPatterns(List.of("user.*", "security.selinux"))
        .setUpdatedAtMs(7)
        .build();
  }

  static ConfigChange configChange() {
    return ConfigChange.newBuilder()
        .setOption("cache-invalidation-timeout")
        .setValue("30")
        .setSetBy("ops")
        .setAtMs(8)
        .build();
  }

  static ConfigChange configReset() {
    return ConfigChange.newBuilder().setOption("cache-invalidation").build();
  }

  static InodeEvent inodeEvent() {
    return InodeEvent.newBuilder()
        .setRole(InodeRole.NEW_PARENT)
        .setFop(fullFop())
        .setCauseFopId("fops-3@42")
        .build();
  }

  static InodeMeta inodeMeta() {
    Invalidation latest = Invalidation.newBuilder(fullInvalidation()).setClient("").build();
    return InodeMeta.newBuilder()
        .setLatestChangeOriginator("client-a")
        .setLatestChange(latest)
        .setTxIds(Map.of("client-a:77", 1_700_000_000_123L, "client-b:1", 5L))
        .build();
  }

  /** An entrylk contention notice with every optional field set. */
  static UpcallRequest fullRequest() {
    return UpcallRequest.newBuilder()
        .setRequestId("b1:r7")
        .setVolume("vol1")
        .setBrick("b1")
        .setClient("client-a")
        .setGfid(gfid(10))
        .setEventTimeMs(1_700_000_000_123L)
        .setType(UpcallRequestType.ENTRYLK_CONTENTION)
        .setLeaseId("lease-1")
        .setLockOwner("owner-9")
        .setDomain("vol1-dht")
        .setBasename("f")
        .setRecallTimeoutSeconds(30)
        .build();
  }

  static UpcallEvent recallEvent() {
    return UpcallEvent.newBuilder()
        .setEventType(UpcallEventType.LEASE_RECALL)
        .setClient("client-a")
        .setVolume("vol1")
        .setBrick("b1")
        .setGfid(gfid(10))
        .setEventTimeMs(1_700_000_000_123L)
        .setRequestId("b1:r7")
        .setDeadlineMs(1_700_000_060_123L)
        .setRecall(new LeaseRecall("lease-1", 60))
        .setContention(new LockContention("owner-9", "vol1-dht", "f"))
        .build();
  }

  static LeaseRecallReply recallReply() {
    return LeaseRecallReply.newBuilder()
        .setRequestId("b1:r7")
        .setClient("client-a")
        .setBrick("b1")
        .setGfid(gfid(10))
        .setReleased(true)
        .setAtMs(1_700_000_001_000L)
        .build();
  }

  /** One fully populated sample of every record type with a published history. */
  static List<SpecificRecord> everyType() {
    return List.of(
        fullFop(),
        heartbeat(),
        fullInvalidation(),
        progressMark(),
        xattrInterest(),
        configChange(),
        inodeEvent(),
        inodeMeta(),
        fullRequest(),
        recallEvent(),
        recallReply());
  }
}
