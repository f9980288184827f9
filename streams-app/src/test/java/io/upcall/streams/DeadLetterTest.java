package io.upcall.streams;

import static io.upcall.streams.Fops.DIR;
import static io.upcall.streams.Fops.FILE;
import static io.upcall.streams.Fops.T0;
import static io.upcall.streams.Fops.brief;
import static io.upcall.streams.Fops.fop;
import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.BrickHeartbeat;
import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.schemas.serde.UpcallSerdes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Records that do not deserialize or break the contract go to the DLQ as they were; processing goes on. */
class DeadLetterTest {
  private static final byte[] KEY = "some-key".getBytes(StandardCharsets.UTF_8);

  @Test
  void badRecordsGoToTheDeadLetterTopicWithTheirBytesAndWhyAndTheRestIsProcessed() {
    try (UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS)) {
      driver.pipe(fop(Fop.LOOKUP, "B", FILE, T0).build());

      byte[] garbage = {1, 2, 3, 4, 5};
      driver.pipeRaw(KEY, garbage);
      FopRecord noParent = fop(Fop.UNLINK, "A", FILE, T0 + 1_000).build();
      byte[] noParentBytes =
          UpcallSerdes.fopRecord().serializer().serialize("upcall.fops", noParent);
      driver.pipeRaw(KEY, noParentBytes);
      driver.pipeRaw(KEY, null);
      byte[] heartbeat =
          UpcallSerdes.brickHeartbeat()
              .serializer()
              .serialize(
                  "upcall.fops",
                  new BrickHeartbeat("vol", "brick-1", T0 + 1_000, 7L, false, 0L, 0L));
      driver.pipeRaw(KEY, heartbeat);

      driver.pipe(fop(Fop.WRITE, "A", FILE, T0 + 2_000).build());
      assertThat(brief(driver.invalidations()))
          .as("processing went on")
          .containsExactly("B 3 SIZE|TIMES");

      List<TestRecord<byte[], byte[]>> dead = driver.deadLetters();
      assertThat(dead).hasSize(3);
      assertThat(dead).extracting(TestRecord::key).containsOnly(KEY);
      assertThat(dead).extracting(TestRecord::value).containsExactly(garbage, noParentBytes, null);
      assertThat(header(dead.get(0).headers(), FopValidator.REASON_HEADER))
          .startsWith("not a FopRecord or BrickHeartbeat");
      assertThat(header(dead.get(1).headers(), FopValidator.REASON_HEADER))
          .isEqualTo("parent is required for UNLINK");
      assertThat(header(dead.get(2).headers(), FopValidator.REASON_HEADER)).startsWith("no value");
      assertThat(header(dead.get(1).headers(), FopValidator.TOPIC_HEADER)).isEqualTo("upcall.fops");
      assertThat(header(dead.get(1).headers(), FopValidator.PARTITION_HEADER)).isEqualTo("0");
      assertThat(header(dead.get(1).headers(), FopValidator.OFFSET_HEADER)).isEqualTo("2");
      assertThat(header(dead.get(1).headers(), FopValidator.TIMESTAMP_HEADER))
          .isEqualTo(Long.toString(T0));

      assertThat(metric(driver, FopValidator.DLQ_RECORDS + "-total")).isEqualTo(3.0);
      assertThat(metric(driver, FopValidator.HEARTBEATS + "-total")).isEqualTo(1.0);
    }
  }

  @Test
  void aFopWithoutFopIdIsNamedByItsPlaceInTheTopic() {
    try (UpcallDriver driver = new UpcallDriver(Switches.DEFAULTS)) {
      driver.pipe(fop(Fop.LOOKUP, "B", DIR, T0).build());
      driver.pipe(fop(Fop.MKDIR, "A", FILE, T0 + 1_000).setParent(DIR).build());
      assertThat(driver.invalidations())
          .extracting(i -> i.getCauseFopId())
          .containsExactly("upcall.fops-0@1");
    }
  }

  private static String header(Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static double metric(UpcallDriver driver, String name) {
    double total = 0;
    for (var entry : driver.driver().metrics().entrySet()) {
      MetricName metricName = entry.getKey();
      Metric metric = entry.getValue();
      if (metricName.name().equals(name) && metricName.group().equals("stream-upcall-metrics")) {
        total += ((Number) metric.metricValue()).doubleValue();
      }
    }
    return total;
  }
}
