package io.upcall.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Invalidation;
import io.upcall.schemas.trace.GfidAliases;
import io.upcall.schemas.trace.InvalidationJson;
import io.upcall.schemas.trace.TraceEvent;
import io.upcall.schemas.trace.TraceFormatException;
import io.upcall.schemas.trace.TraceReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpcallSimulatorTest {

  private static List<String> simulate(Switches switches, String... lines) {
    GfidAliases aliases = new GfidAliases();
    InvalidationJson json = new InvalidationJson(aliases, false);
    List<String> out = new ArrayList<>();
    try (TraceReader reader = new TraceReader(new StringReader(String.join("\n", lines)), aliases);
        UpcallSimulator simulator = new UpcallSimulator(switches)) {
      Optional<TraceEvent> event;
      while ((event = reader.next()).isPresent()) {
        for (Invalidation invalidation : simulator.apply(event.get())) {
          out.add(json.toJson(invalidation));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  @Test
  void printsEveryInvalidationOfATraceInEventTime() {
    List<String> out =
        simulate(
            Switches.DEFAULTS,
            "{\"ts\": 1000, \"client\": \"B\", \"fop\": \"REGISTER_XATTRS\", \"xattrs\": [\"user.*\"]}",
            "{\"ts\": 1000, \"client\": \"B\", \"fop\": \"LOOKUP\", \"gfid\": \"f\"}",
            "{\"ts\": 2000, \"client\": \"A\", \"fop\": \"WRITE\", \"gfid\": \"f\"}",
            "{\"ts\": 3000, \"client\": \"A\", \"fop\": \"SETXATTR\", \"gfid\": \"f\", \"xattrs\": [\"user.a\", \"trusted.b\"]}",
            "{\"ts\": 61000, \"client\": \"A\", \"fop\": \"WRITE\", \"gfid\": \"f\"}");
    assertThat(out)
        .containsExactly(
            "{\"client\":\"B\",\"gfid\":\"f\",\"flags\":[\"SIZE\",\"TIMES\"],\"ts\":2000}",
            "{\"client\":\"B\",\"gfid\":\"f\",\"flags\":[\"XATTR\"],\"ts\":3000,\"xattrs\":[\"user.a\"]}");
  }

  @Test
  void timeoutAndDisabledComeFromTheOptions() {
    String[] trace = {
      "{\"ts\": 1000, \"client\": \"B\", \"fop\": \"LOOKUP\", \"gfid\": \"f\"}",
      "{\"ts\": 6000, \"client\": \"A\", \"fop\": \"WRITE\", \"gfid\": \"f\"}"
    };
    assertThat(simulate(new Switches(true, 5), trace)).isEmpty();
    assertThat(simulate(new Switches(true, 6), trace)).hasSize(1);
    assertThat(simulate(new Switches(false, 60), trace)).isEmpty();
  }

  @Test
  void aFopThatBreaksTheContractIsReportedWithItsLine() {
    assertThatThrownBy(
            () ->
                simulate(
                    Switches.DEFAULTS,
                    "{\"ts\": 1000, \"client\": \"B\", \"fop\": \"LOOKUP\", \"gfid\": \"f\"}",
                    "{\"ts\": 2000, \"client\": \"A\", \"fop\": \"UNLINK\", \"gfid\": \"f\"}"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("line 2: parent is required for UNLINK");
  }
}
