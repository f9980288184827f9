package io.upcall.streams;

import static io.upcall.streams.Fops.FILE;
import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.stat;
import static io.upcall.streams.Fops.xattr;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Invalidation;
import io.upcall.avro.Xattr;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.schemas.UpcallFlag;
import io.upcall.schemas.serde.UpcallSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class LatestChangesTest {
  private static final int T = 10;

  private static Invalidation change(long eventTimeMs, int flags, List<Xattr> xattrs) {
    return new Invalidation(
        "",
        FILE,
        flags,
        "vol",
        stat(eventTimeMs),
        null,
        null,
        null,
        null,
        xattrs,
        0,
        eventTimeMs,
        "brick-1",
        "c" + eventTimeMs);
  }

  @Test
  void changesLessThanTApartUniteTheirFlagsAndKeepTheLatersStat() {
    InodeMeta first =
        LatestChanges.merged(
            null,
            change(T0, UpcallFlag.mask(UpcallFlag.XATTR), List.of(xattr("user.a", "1"))),
            "A",
            T);
    InodeMeta both =
        LatestChanges.merged(
            first, change(T0 + 9_000, UpcallFlag.mask(UpcallFlag.SIZE), List.of()), "A", T);
    assertThat(UpcallFlag.format(both.getLatestChange().getFlags())).isEqualTo("SIZE|XATTR");
    assertThat(both.getLatestChange().getStat().getSize()).isEqualTo(T0 + 9_000);
    assertThat(both.getLatestChange().getXattrs())
        .extracting(Xattr::getName)
        .containsExactly("user.a");
    assertThat(both.getLatestChangeOriginator()).isEqualTo("A");

    InodeMeta another =
        LatestChanges.merged(
            both, change(T0 + 9_500, UpcallFlag.mask(UpcallFlag.TIMES), List.of()), "B", T);
    assertThat(another.getLatestChangeOriginator()).as("made by two clients").isNull();
  }

  @Test
  void aChangeTOrMoreAfterTheLatestStartsAfreshAndOneTOrMoreBeforeItIsIgnored() {
    InodeMeta first =
        LatestChanges.merged(null, change(T0, UpcallFlag.mask(UpcallFlag.SIZE), List.of()), "A", T);
    InodeMeta fresh =
        LatestChanges.merged(
            first, change(T0 + 10_000, UpcallFlag.mask(UpcallFlag.MODE), List.of()), "B", T);
    assertThat(UpcallFlag.format(fresh.getLatestChange().getFlags())).isEqualTo("MODE");
    assertThat(
            LatestChanges.merged(
                fresh, change(T0, UpcallFlag.mask(UpcallFlag.NLINK), List.of()), "C", T))
        .isSameAs(fresh);
  }

  @Test
  void mergedXattrNamesAreBoundedAndBeyondTheBoundMeanEveryXattr() {
    InodeMeta meta = null;
    List<Xattr> one = new ArrayList<>();
    for (int i = 0; i <= LatestChanges.MAX_MERGED_XATTRS; i++) {
      meta =
          LatestChanges.merged(
              meta,
              change(T0 + i, UpcallFlag.mask(UpcallFlag.XATTR), List.of(xattr("user.x" + i, "v"))),
              "A",
              T);
      one = meta.getLatestChange().getXattrs();
    }
    assertThat(one).isEmpty();
    assertThat(UpcallFlag.XATTR.in(meta.getLatestChange().getFlags())).isTrue();
  }

  @Test
  void anInodeTheSweepDeletedIsNotAnsweredFromItsDecodedEntry() {
    KeyValueStore<Bytes, InodeMeta> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("meta"), Serdes.Bytes(), UpcallSerdes.inodeMeta())
            .withLoggingDisabled()
            .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    LatestChanges changes =
        new LatestChanges(store, new ExpirySweep<>(store, Duration.ofMillis(10), () -> 0L));
    byte[] gfid = FILE.bytes();
    InodeMeta meta =
        LatestChanges.merged(null, change(T0, UpcallFlag.mask(UpcallFlag.SIZE), List.of()), "A", T);
    changes.put(gfid, meta);
    assertThat(changes.of(gfid)).isSameAs(meta);

    long second = TrackingFreshness.second(T0);
    changes.expire(second + 2 * T, 2 * T);
    assertThat(changes.of(gfid)).as("exactly 2T after: kept").isSameAs(meta);
    changes.expire(second + 2 * T + 1, 2 * T);
    assertThat(changes.of(gfid)).isNull();
    assertThat(store.get(InodeKeys.of(gfid))).isNull();
  }
}
