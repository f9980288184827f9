package io.upcall.bench;

import io.upcall.avro.FopRecord;
import io.upcall.producers.load.FopGenerator;
import io.upcall.producers.load.LoadSpec;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serialized fop records as the load generator makes them, keyed by gfid as bricks key them: what the baselines
 * send, so they move records of the pipeline's size and mix without paying for generating them.
 */
final class SampleFops {
  private final byte[][] keys;
  private final byte[][] values;
  private final double meanValueBytes;

  private SampleFops(byte[][] keys, byte[][] values) {
    this.keys = keys;
    this.values = values;
    long total = 0;
    for (byte[] value : values) {
      total += value.length;
    }
    this.meanValueBytes = (double) total / values.length;
  }

  /** {@code count} records of {@code load}'s generator, serialized as {@code upcall.fops} values. */
  static SampleFops generate(LoadSpec load, int count) {
    FopGenerator generator = new FopGenerator(load);
    Serializer<SpecificRecord> serializer = UpcallSerdes.fopsTopic().serializer();
    byte[][] keys = new byte[count][];
    byte[][] values = new byte[count][];
    long eventTimeMs = System.currentTimeMillis();
    int n = 0;
    while (n < count) {
      for (FopRecord fop : generator.next(eventTimeMs + n)) {
        if (n < count) {
          keys[n] = Gfids.format(fop.getGfid()).getBytes(StandardCharsets.UTF_8);
          values[n] = serializer.serialize("sample", fop);
          n++;
        }
      }
    }
    return new SampleFops(keys, values);
  }

  int size() {
    return keys.length;
  }

  byte[] key(int i) {
    return keys[i];
  }

  byte[] value(int i) {
    return values[i];
  }

  /** Mean size of a serialized record value, bytes. */
  double meanValueBytes() {
    return meanValueBytes;
  }
}
