package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.schemas.UpcallFlag;
import io.upcall.schemas.batch.InvalidationBatches;
import io.upcall.schemas.serde.UpcallSerdes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/**
 * Which of a batch's changes fold, recipient by recipient: a recipient's later change of an inode into its earlier
 * one, unless a change naming that inode as a parent was told to the same recipient in between.
 */
class OpenBatchTest {
  private static final String TOPIC = "upcall.invalidations";
  private static final Serializer<Invalidation> ENCODER = UpcallSerdes.invalidation().serializer();
  private static final Deserializer<Invalidation> DECODER =
      UpcallSerdes.invalidation().deserializer();

  private final OpenBatch batch = new OpenBatch(0, 1);
  private long eventTimeMs = Fops.T0;

  @Test
  void aRecipientsLaterChangeOfAnInodeFoldsIntoItsEarlierOne() {
    tell(change(Fops.FILE, UpcallFlag.SIZE), "c1", "c2");
    tell(change(Fops.FILE, UpcallFlag.MODE), "c1");

    assertThat(flagsByRecipient())
        .isEqualTo(
            Map.of(
                "c1", List.of(UpcallFlag.mask(UpcallFlag.SIZE, UpcallFlag.MODE)),
                "c2", List.of(UpcallFlag.SIZE.bit())));
  }

  @Test
  void aChangeNamingTheInodeAsParentInBetweenKeepsARecipientsTwoChangesApart() {
    tell(change(Fops.DIR, UpcallFlag.SIZE), "c1", "c2");
    Invalidation created = change(Fops.FILE, UpcallFlag.PARENT_TIMES);
    created.setParent(Fops.DIR);
    created.setParentStat(Fops.stat(2));
    tell(created, "c1");
    tell(change(Fops.DIR, UpcallFlag.MODE), "c1", "c2");

    assertThat(flagsByRecipient())
        .as("c1 heard of the parent in between; c2 did not")
        .isEqualTo(
            Map.of(
                "c1",
                List.of(
                    UpcallFlag.SIZE.bit(), UpcallFlag.PARENT_TIMES.bit(), UpcallFlag.MODE.bit()),
                "c2",
                List.of(UpcallFlag.mask(UpcallFlag.SIZE, UpcallFlag.MODE))));
  }

  @Test
  void aRenamesOldParentIsABarrierToo() {
    tell(change(Fops.OTHER_DIR, UpcallFlag.SIZE), "c1");
    Invalidation renamed = change(Fops.FILE, UpcallFlag.RENAME, UpcallFlag.PARENT_TIMES);
    renamed.setParent(Fops.DIR);
    renamed.setParentStat(Fops.stat(2));
    renamed.setOldParent(Fops.OTHER_DIR);
    renamed.setOldParentStat(Fops.stat(3));
    tell(renamed, "c1");
    tell(change(Fops.OTHER_DIR, UpcallFlag.MODE), "c1");

    assertThat(flagsByRecipient().get("c1")).hasSize(3);
  }

  @Test
  void aJournalBufferHandedOnHoldsOnlyTheNewBatch() {
    tell(change(Fops.FILE, UpcallFlag.SIZE), "c1", "c2", "c3");
    OpenBatch next = new OpenBatch(0, 1, batch.release());
    Invalidation later = change(Fops.DIR, UpcallFlag.MODE);
    next.add("c4", later, ENCODER.serialize(TOPIC, later), later.getEventTimeMs());

    StringBuilder replayed = new StringBuilder();
    OpenBatch.replay(next.journal(), (client, encoded) -> replayed.append(client));
    assertThat(replayed).hasToString("c4");
  }

  private void tell(Invalidation body, String... clients) {
    byte[] encoded = ENCODER.serialize(TOPIC, body);
    for (String client : clients) {
      batch.add(client, body, encoded, body.getEventTimeMs());
    }
  }

  private Map<String, List<Integer>> flagsByRecipient() {
    return InvalidationBatches.expand(
            batch.toRecord(body -> ENCODER.serialize(TOPIC, body)), TOPIC, DECODER)
        .stream()
        .collect(
            Collectors.groupingBy(
                Invalidation::getClient,
                TreeMap::new,
                Collectors.mapping(Invalidation::getFlags, Collectors.toList())));
  }

  private Invalidation change(Gfid gfid, UpcallFlag... flags) {
    eventTimeMs++;
    return new Invalidation(
        "",
        gfid,
        UpcallFlag.mask(flags),
        "vol",
        Fops.stat(eventTimeMs - Fops.T0),
        null,
        null,
        null,
        null,
        List.of(),
        60,
        eventTimeMs,
        "brick-1",
        "fop-" + eventTimeMs);
  }
}
