package io.upcall.streams;

import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.internal.InodeEvent;
import io.upcall.avro.internal.InodeRole;
import io.upcall.schemas.FopRecordCopies;
import io.upcall.schemas.Gfids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Fans a fop out into one {@link InodeEvent} per inode it concerns, keyed by that inode's gfid, so that each
 * inode's decision is taken where its state lives. Fops with no effect are not sent on at all.
 *
 * <p>Where the state lives is known here: the inode repartition has as many partitions as {@code upcall.fops} and
 * places a gfid as Kafka's default partitioner does, so the task owning gfid g is the one of partition
 * {@link #partitionOf}(g). An event for an inode this task owns is {@link Routed#here() here} and is processed at
 * once, in this task, without a trip through the repartition topic (most fops concern only their own inode, which
 * bricks key them by); only the others cross the repartition. The entries a READDIRP listed travel as one event
 * per partition owning some of them, the entries in the event's record, rather than one event each.
 */
final class PerInodeFanOut implements Processor<byte[], CheckedFop, String, PerInodeFanOut.Routed> {

  /**
   * An inode event and whether this task owns its inode(s): a LISTED_ENTRY event whose record lists entries is
   * about those entries, all owned by one task, and is keyed by the first of them.
   */
  record Routed(InodeEvent event, boolean here) {}

  private final int partitions;
  private ProcessorContext<String, Routed> context;
  private int partition;

  /** @param partitions partitions of the inode repartition topic (those of {@code upcall.fops}) */
  PerInodeFanOut(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    this.partitions = partitions;
  }

  @Override
  public void init(ProcessorContext<String, Routed> context) {
    this.context = context;
    this.partition = context.taskId().partition();
  }

  @Override
  public void process(Record<byte[], CheckedFop> record) {
    if (!(record.value() instanceof CheckedFop.Accepted accepted)) {
      return;
    }
    FopRecord fop = accepted.fop();
    String cause = accepted.causeFopId();
    switch (FopKind.of(fop.getFop())) {
      case NO_EFFECT -> {} // no event at all
      case LISTING -> sendListing(record, fop, cause);
      case ENTRY_CREATE, ENTRY_REMOVE, ENTRY_LINK -> {
        send(record, fop.getGfid(), InodeRole.TARGET, fop, cause);
        send(record, fop.getParent(), InodeRole.PARENT, fop, cause);
      }
      case ENTRY_RENAME -> {
        send(record, fop.getGfid(), InodeRole.TARGET, fop, cause);
        send(record, fop.getParent(), InodeRole.PARENT, fop, cause);
        if (!fop.getNewParent().equals(fop.getParent())) {
          send(record, fop.getNewParent(), InodeRole.NEW_PARENT, fop, cause);
        }
        if (fop.getOverwritten() != null) {
          send(record, fop.getOverwritten(), InodeRole.OVERWRITTEN, fop, cause);
        }
      }
      default -> send(record, fop.getGfid(), InodeRole.TARGET, fop, cause);
    }
  }

  /** The directory's event does not carry the listing; each owning partition's event carries only its entries. */
  private void sendListing(Record<byte[], CheckedFop> record, FopRecord fop, String cause) {
    send(record, fop.getGfid(), InodeRole.TARGET, withEntries(fop, List.of(), true), cause);
    Set<Gfid> entries = new LinkedHashSet<>(fop.getEntries());
    entries.remove(fop.getGfid()); // "." is the directory itself
    List<List<Gfid>> byPartition = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      byPartition.add(null);
    }
    for (Gfid entry : entries) {
      int owner = partitionOf(Gfids.format(entry), partitions);
      List<Gfid> owned = byPartition.get(owner);
      if (owned == null) {
        owned = new ArrayList<>();
        byPartition.set(owner, owned);
      }
      owned.add(entry);
    }
    for (List<Gfid> owned : byPartition) {
      if (owned != null) {
        send(record, owned.get(0), InodeRole.LISTED_ENTRY, withEntries(fop, owned, false), cause);
      }
    }
  }

  private void send(
      Record<byte[], CheckedFop> record, Gfid inode, InodeRole role, FopRecord fop, String cause) {
    String gfid = Gfids.format(inode);
    boolean here = partitionOf(gfid, partitions) == partition;
    context.forward(
        record.withKey(gfid).withValue(new Routed(new InodeEvent(role, fop, cause), here)));
  }

  /**
   * The partition of the inode repartition topic (of {@code partitions}) that Kafka's default partitioner, and so
   * {@link ProgressRouting#inodeEventsAndProgress()}, gives the gfid key {@code gfid}: its documented placement of
   * a keyed record, murmur2 of the key bytes made positive, modulo the partition count.
   */
  static int partitionOf(String gfid, int partitions) {
    return Utils.toPositive(Utils.murmur2(gfid.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * {@code fop} listing {@code entries}: a touch of listed entries needs neither the directory's stat nor the
   * other entries, so {@code keepStats} false leaves the stats out of what crosses the repartition.
   */
  private static FopRecord withEntries(FopRecord fop, List<Gfid> entries, boolean keepStats) {
    FopRecord copy = FopRecordCopies.of(fop);
    copy.setEntries(entries);
    if (!keepStats) {
      copy.setStat(null);
      copy.setParentStat(null);
      copy.setNewParentStat(null);
    }
    return copy;
  }
}
