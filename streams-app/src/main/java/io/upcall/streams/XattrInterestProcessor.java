package io.upcall.streams;

import io.upcall.avro.XattrInterest;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Keeps the xattr-interest store (client uid → patterns) in step with the compacted
 * {@code upcall.xattr-interest} topic: a registration replaces the client's previous one, a tombstone removes it.
 */
final class XattrInterestProcessor implements Processor<String, XattrInterest, Void, Void> {
  static final String XATTR_INTEREST_STORE = "upcall-xattr-interest";

  private KeyValueStore<String, XattrInterest> interest;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    interest = context.getStateStore(XATTR_INTEREST_STORE);
  }

  @Override
  public void process(Record<String, XattrInterest> record) {
    if (record.key() == null) {
      return; // unkeyed: names no client, and a compacted topic would not keep it either
    }
    if (record.value() == null) {
      interest.delete(record.key());
    } else {
      interest.put(record.key(), record.value());
    }
  }

  /** The patterns {@code client} registered; empty when it registered none. */
  static List<String> patternsOf(
      ReadOnlyKeyValueStore<String, XattrInterest> store, String client) {
    XattrInterest registered = store.get(client);
    return registered == null ? List.of() : registered.getPatterns();
  }
}
