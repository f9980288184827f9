package io.upcall.streams.ops;

import io.upcall.avro.Invalidation;
import io.upcall.avro.internal.InodeMeta;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * How often inodes change, sampled without touching the processing path: each round reads the latest change of every
 * inode in the inode-meta stores (bounded) and notes which moved since the previous round. Several changes between
 * two rounds count once, so the figure is a lower bound; in exchange it costs nothing while no one looks (the console
 * turns it on by asking {@code /hot}) and a bounded scan every few seconds while someone does.
 */
final class ChangeWatch {
  /** Rounds remembered per inode: the window of the ranking. */
  static final int WINDOW = 30;

  private static final int WINDOW_MASK = (1 << WINDOW) - 1;

  /** One inode's record: its latest change's identity, and a bit per round, set when it moved in that round. */
  record Track(int partition, long eventTimeMs, String causeFopId, int movedBits, int rounds) {
    int changedSamples() {
      return Integer.bitCount(movedBits);
    }
  }

  /** One store to sample, and its partition. */
  record Source(int partition, ReadOnlyKeyValueStore<Bytes, InodeMeta> store) {}

  private final int maxEntries;
  private Map<Bytes, Track> tracks = Map.of();
  private boolean primed;
  private boolean bounded;

  /** @param maxEntries inode-meta entries read per round, at most */
  ChangeWatch(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** Reads the stores once. An inode first seen after the first round moved in this round: its entry is new. */
  synchronized void round(List<Source> sources) {
    Map<Bytes, Track> next = new HashMap<>();
    int read = 0;
    boolean stopped = false;
    for (Source source : sources) {
      try (KeyValueIterator<Bytes, InodeMeta> entries = source.store().all()) {
        while (entries.hasNext()) {
          if (read >= maxEntries) {
            stopped = true;
            break;
          }
          KeyValue<Bytes, InodeMeta> entry = entries.next();
          read++;
          Invalidation change = entry.value == null ? null : entry.value.getLatestChange();
          if (change == null) {
            continue;
          }
          Track before = tracks.get(entry.key);
          boolean moved =
              before == null
                  ? primed
                  : before.eventTimeMs() != change.getEventTimeMs()
                      || !Objects.equals(before.causeFopId(), change.getCauseFopId());
          int bits =
              ((before == null ? 0 : before.movedBits()) << 1 | (moved ? 1 : 0)) & WINDOW_MASK;
          int rounds = Math.min(WINDOW, (before == null ? 0 : before.rounds()) + 1);
          next.put(
              entry.key,
              new Track(
                  source.partition(),
                  change.getEventTimeMs(),
                  change.getCauseFopId(),
                  bits,
                  rounds));
        }
      }
      if (stopped) {
        break;
      }
    }
    tracks = next;
    primed = true;
    bounded = stopped;
  }

  /** The inodes followed now, by key. */
  synchronized Map<Bytes, Track> tracks() {
    return tracks;
  }

  /** Whether the last round stopped at its bound. */
  synchronized boolean bounded() {
    return bounded;
  }

  /** Forgets everything: the next rounds start afresh (e.g. after no one looked for a while). */
  synchronized void reset() {
    tracks = Map.of();
    primed = false;
    bounded = false;
  }
}
