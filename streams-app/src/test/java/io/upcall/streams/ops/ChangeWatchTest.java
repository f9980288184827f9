package io.upcall.streams.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Gfid;
import io.upcall.avro.Invalidation;
import io.upcall.avro.internal.InodeMeta;
import io.upcall.schemas.Gfids;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

class ChangeWatchTest {
  private final MetaStore store = new MetaStore();
  private final Gfid hot = Gfids.of(UUID.randomUUID());
  private final Gfid quiet = Gfids.of(UUID.randomUUID());
  private final ChangeWatch watch = new ChangeWatch(1_000);

  @Test
  void anInodeCountsTheRoundsInWhichItsLatestChangeMoved() {
    change(hot, 1_000, "a");
    change(quiet, 1_000, "q");
    round(); // the first round only learns what is there
    change(hot, 2_000, "b");
    round();
    round();
    change(hot, 2_000, "c"); // same millisecond, another fop: still a change
    Gfid late = Gfids.of(UUID.randomUUID());
    change(late, 500, "l"); // appeared since the last round: its first change
    round();

    Map<Bytes, ChangeWatch.Track> tracks = watch.tracks();
    assertThat(tracks.get(key(hot)).changedSamples()).isEqualTo(2);
    assertThat(tracks.get(key(hot)).rounds()).isEqualTo(4);
    assertThat(tracks.get(key(quiet)).changedSamples()).isZero();
    assertThat(tracks.get(key(late)).changedSamples()).isEqualTo(1);
  }

  @Test
  void aRoundReadsAtMostItsBound() {
    ChangeWatch small = new ChangeWatch(1);
    change(hot, 1_000, "a");
    change(quiet, 1_000, "q");
    small.round(List.of(new ChangeWatch.Source(0, store)));
    assertThat(small.tracks()).hasSize(1);
    assertThat(small.bounded()).isTrue();
  }

  private void round() {
    watch.round(List.of(new ChangeWatch.Source(0, store)));
  }

  private void change(Gfid gfid, long eventTimeMs, String causeFopId) {
    Invalidation change =
        Invalidation.newBuilder()
            .setClient("")
            .setGfid(gfid)
            .setFlags(1)
            .setExpireTimeSeconds(60)
            .setEventTimeMs(eventTimeMs)
            .setCauseFopId(causeFopId)
            .build();
    store.put(key(gfid), InodeMeta.newBuilder().setLatestChange(change).build());
  }

  private static Bytes key(Gfid gfid) {
    return Bytes.wrap(gfid.bytes());
  }

  /** An inode-meta store in a sorted map: all the watch reads is {@code all()}. */
  private static final class MetaStore implements ReadOnlyKeyValueStore<Bytes, InodeMeta> {
    private final TreeMap<Bytes, InodeMeta> entries = new TreeMap<>();

    void put(Bytes key, InodeMeta value) {
      entries.put(key, value);
    }

    @Override
    public InodeMeta get(Bytes key) {
      return entries.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, InodeMeta> range(Bytes from, Bytes to) {
      return iterator(entries.subMap(from, true, to, true));
    }

    @Override
    public KeyValueIterator<Bytes, InodeMeta> all() {
      return iterator(entries);
    }

    @Override
    public long approximateNumEntries() {
      return entries.size();
    }

    private static KeyValueIterator<Bytes, InodeMeta> iterator(Map<Bytes, InodeMeta> map) {
      Iterator<Map.Entry<Bytes, InodeMeta>> iterator = new TreeMap<>(map).entrySet().iterator();
      return new KeyValueIterator<>() {
        @Override
        public boolean hasNext() {
          return iterator.hasNext();
        }

        @Override
        public KeyValue<Bytes, InodeMeta> next() {
          Map.Entry<Bytes, InodeMeta> entry = iterator.next();
          return KeyValue.pair(entry.getKey(), entry.getValue());
        }

        @Override
        public Bytes peekNextKey() {
          throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
      };
    }
  }
}
