package io.upcall.streams;

import java.util.Iterator;
import org.apache.kafka.common.utils.Bytes;

/**
 * The tracked pairs in order of last access, oldest first: what the pair bound evicts and expiry deletes. An entry is
 * a hint: {@link TrackedClients} acts on it only while its pair still holds that second, and drops it otherwise.
 */
sealed interface AccessOrder permits StoredAccessOrder, HeapAccessOrder {
  /** One pair at one access second. */
  record Entry(long second, Bytes pair) {}

  /** Records that {@code pair} was accessed at {@code second}. */
  void add(long second, Bytes pair);

  /** Forgets the entry of {@code pair} at {@code second}, if there is one. */
  void remove(long second, Bytes pair);

  /** The entries oldest first; the scan must be closed, and nothing may be added or removed before it is. */
  Scan oldestFirst();

  /** Says that every entry before {@code entry} is gone or about to be, so the next scan may start there. */
  void passed(Entry entry);

  /** Entries oldest first, read as they go. */
  interface Scan extends Iterator<Entry>, AutoCloseable {
    @Override
    void close();
  }
}
