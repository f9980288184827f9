package io.upcall.schemas.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Xattr;
import io.upcall.schemas.Gfids;
import java.io.StringReader;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceReaderTest {

  @Test
  void aFopLineBecomesAFopRecordWithTraceDefaults() {
    TraceEvent event =
        single("{\"ts\": 1000, \"client\": \"c1\", \"fop\": \"WRITE\", \"gfid\": \"f\"}");

    assertThat(event).isInstanceOf(TraceEvent.FopEvent.class);
    FopRecord fop = ((TraceEvent.FopEvent) event).record();
    assertThat(event.lineNumber()).isEqualTo(1);
    assertThat(event.eventTimeMs()).isEqualTo(1000);
    assertThat(event.client()).isEqualTo("c1");
    assertThat(fop.getFop()).isEqualTo(Fop.WRITE);
    assertThat(fop.getVolume()).isEqualTo("trace");
    assertThat(fop.getBrick()).isEqualTo("trace");
    assertThat(fop.getFopId()).isEqualTo("trace:1");
    assertThat(fop.getStat()).isNull();
    assertThat(fop.getParentStat()).isNull();
    assertThat(fop.getParent()).isNull();
    assertThat(fop.getTxId()).isNull();
    assertThat(fop.getModeChanged()).isFalse();
    assertThat(Gfids.toUuid(fop.getGfid())).isEqualTo(UUID.nameUUIDFromBytes("gfid:f".getBytes()));
  }

  @Test
  void everyFieldOfTheSpecIsRead() {
    TraceEvent event =
        single(
            "{\"ts\": 5, \"client\": \"c\", \"fop\": \"RENAME\", \"gfid\": \"f\", \"parent\": \"d1\","
                + " \"newParent\": \"d2\", \"nlink\": 1, \"overwritten\": \"g\", \"overwrittenNlink\": 0,"
                + " \"entries\": [\"e1\", \"00000000-0000-0000-0000-000000000001\"], \"xattrs\": [\"user.a\"],"
                + " \"modeChanged\": true, \"txId\": \"c:1\", \"brick\": \"b2\", \"volume\": \"v\"}");

    FopRecord fop = ((TraceEvent.FopEvent) event).record();
    GfidAliases aliases = new GfidAliases();
    assertThat(fop.getParent()).isEqualTo(aliases.resolve("d1"));
    assertThat(fop.getNewParent()).isEqualTo(aliases.resolve("d2"));
    assertThat(fop.getNlink()).isEqualTo(1);
    assertThat(fop.getOverwritten()).isEqualTo(aliases.resolve("g"));
    assertThat(fop.getOverwrittenNlink()).isZero();
    assertThat(fop.getEntries())
        .containsExactly(
            aliases.resolve("e1"), Gfids.parse("00000000-0000-0000-0000-000000000001"));
    assertThat(fop.getXattrs()).containsExactly(new Xattr("user.a", null));
    assertThat(fop.getModeChanged()).isTrue();
    assertThat(fop.getTxId()).isEqualTo("c:1");
    assertThat(fop.getBrick()).isEqualTo("b2");
    assertThat(fop.getVolume()).isEqualTo("v");
  }

  @Test
  void registerXattrsBecomesTheClientsInterest() {
    TraceEvent event =
        single(
            "{\"ts\": 7, \"client\": \"c\", \"fop\": \"REGISTER_XATTRS\", \"xattrs\": [\"user.*\", \"security.selinux\"]}");

    assertThat(event).isInstanceOf(TraceEvent.XattrRegistration.class);
    var interest = ((TraceEvent.XattrRegistration) event).interest();
    assertThat(interest.getClient()).isEqualTo("c");
    assertThat(interest.getPatterns()).containsExactly("user.*", "security.selinux");
    assertThat(interest.getUpdatedAtMs()).isEqualTo(7);
    assertThat(event.eventTimeMs()).isEqualTo(7);
  }

  @Test
  void aRegistrationWithoutPatternsClearsTheInterest() {
    var event =
        (TraceEvent.XattrRegistration)
            single("{\"ts\": 7, \"client\": \"c\", \"fop\": \"register_xattrs\"}");

    assertThat(event.interest().getPatterns()).isEmpty();
  }

  @Test
  void fopNamesAreCaseInsensitiveAndNullFieldsAreAbsent() {
    FopRecord fop =
        ((TraceEvent.FopEvent)
                single(
                    "{\"ts\": 1, \"client\": \"c\", \"fop\": \"setattr\", \"gfid\": \"f\", \"txId\": null}"))
            .record();

    assertThat(fop.getFop()).isEqualTo(Fop.SETATTR);
    assertThat(fop.getTxId()).isNull();
  }

  @Test
  void blankLinesAreSkippedButCountedInLineNumbers() {
    TraceReader reader =
        new TraceReader(
            new StringReader(
                "\n"
                    + "{\"ts\": 1, \"client\": \"c\", \"fop\": \"LOOKUP\", \"gfid\": \"f\"}\n"
                    + "   \n\n"
                    + "{\"ts\": 2, \"client\": \"c\", \"fop\": \"STAT\", \"gfid\": \"f\"}\n\n"));

    List<TraceEvent> events = reader.events().toList();

    assertThat(events).extracting(TraceEvent::lineNumber).containsExactly(2L, 5L);
    assertThat(events)
        .extracting(e -> ((TraceEvent.FopEvent) e).record().getFopId())
        .containsExactly("trace:2", "trace:5");
  }

  @Test
  void readingGoesOnAfterAMalformedLine() {
    TraceReader reader =
        new TraceReader(
            new StringReader(
                "{\"ts\": 1, \"client\": \"c\", \"fop\": \"LOOKUP\", \"gfid\": \"f\"}\n"
                    + "oops\n"
                    + "{\"ts\": 3, \"client\": \"c\", \"fop\": \"STAT\", \"gfid\": \"f\"}\n"));

    assertThat(reader.next()).isPresent();
    assertThatThrownBy(reader::next)
        .isInstanceOf(TraceFormatException.class)
        .hasMessageStartingWith("line 2: ");
    assertThat(reader.next()).get().extracting(TraceEvent::lineNumber).isEqualTo(3L);
    assertThat(reader.next()).isEmpty();
  }

  @Test
  void aMalformedLineEndsTheStreamWithItsError() {
    TraceReader reader =
        new TraceReader(
            new StringReader(
                "{\"ts\": 1, \"client\": \"c\", \"fop\": \"LOOKUP\", \"gfid\": \"f\"}\n"
                    + "{\"ts\": 2}\n"));

    assertThatThrownBy(() -> reader.events().toList())
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("line 2: missing required field 'client'");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "not json                                                               | not valid JSON at column 4",
        "[1, 2]                                                                 | not a JSON object",
        "{\"ts\": 1, \"client\": \"c\"                                            | not valid JSON at column 24 (the line ends inside the object)",
        "{ts: 1}                                                                | not valid JSON at column 2",
        "`\"ts\"`                                                                | not a JSON object",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\"} x      | not valid JSON at column 55 (text after the object)",
        "{\"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\"}                    | missing required field 'ts'",
        "{\"ts\": null, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\"}       | missing required field 'ts'",
        "{\"ts\": 1, \"fop\": \"WRITE\", \"gfid\": \"f\"}                           | missing required field 'client'",
        "{\"ts\": 1, \"client\": \"c\", \"gfid\": \"f\"}                            | missing required field 'fop'",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"WRITE\"}                         | missing required field 'gfid' for WRITE",
        "{\"ts\": \"1\", \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\"}      | field 'ts' must be an integer (epoch ms), was \"1\"",
        "{\"ts\": 1.5, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\"}        | field 'ts' must be an integer (epoch ms), was 1.5",
        "{\"ts\": 1, \"client\": 7, \"fop\": \"WRITE\", \"gfid\": \"f\"}              | field 'client' must be a string, was 7",
        "{\"ts\": 1, \"client\": \"\", \"fop\": \"WRITE\", \"gfid\": \"f\"}           | field 'client' must not be empty",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"SCRIBBLE\", \"gfid\": \"f\"}      | unknown fop 'SCRIBBLE' in field 'fop' (a fop name listed in docs/trace-format.md, or REGISTER_XATTRS)",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"UNKNOWN\", \"gfid\": \"f\"}       | unknown fop 'UNKNOWN' in field 'fop' (a fop name listed in docs/trace-format.md, or REGISTER_XATTRS)",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"\"}          | field 'gfid' must not be empty",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": 3}            | field 'gfid' must be a string, was 3",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"UNLINK\", \"gfid\": \"f\", \"parent\": \"d\", \"nlink\": \"0\"} | field 'nlink' must be an integer, was \"0\"",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"UNLINK\", \"gfid\": \"f\", \"nlink\": 3000000000} | field 'nlink' must be an integer, was 3000000000",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"READDIRP\", \"gfid\": \"d\", \"entries\": \"e\"} | field 'entries' must be an array, was \"e\"",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"READDIRP\", \"gfid\": \"d\", \"entries\": [\"e\", 2]} | field 'entries[1]' must be a non-empty gfid string, was 2",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"SETXATTR\", \"gfid\": \"f\", \"xattrs\": [\"\"]} | field 'xattrs[0]' must be a non-empty xattr name string, was \"\"",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"SETATTR\", \"gfid\": \"f\", \"modeChanged\": 1} | field 'modeChanged' must be true or false, was 1",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\", \"parnet\": \"d\"} | unknown field 'parnet' (known: ts, client, fop, gfid, parent, newParent, nlink, overwritten, overwrittenNlink, entries, xattrs, modeChanged, txId, volume, brick)",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"REGISTER_XATTRS\", \"gfid\": \"f\"} | field 'gfid' does not apply to REGISTER_XATTRS",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"REGISTER_XATTRS\", \"xattrs\": \"user.*\"} | field 'xattrs' must be an array, was \"user.*\"",
        "{\"ts\": 1, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\"} {}      | not valid JSON at column 55 (text after the object)",
        "{\"ts\": 1, \"ts\": 2, \"client\": \"c\", \"fop\": \"WRITE\", \"gfid\": \"f\"} | not valid JSON at column 15 (duplicate field 'ts')",
      })
  void aMalformedLineSaysWhichLineAndWhatIsWrong(String line, String reason) {
    TraceReader reader = new TraceReader(new StringReader("\n\n" + line.strip() + "\n"));

    assertThatThrownBy(reader::next)
        .isInstanceOfSatisfying(
            TraceFormatException.class,
            e -> {
              assertThat(e.lineNumber()).isEqualTo(3);
              assertThat(e.reason()).isEqualTo(reason);
            })
        .hasMessage("line 3: " + reason);
  }

  @Test
  void aliasesResolveToTheSameGfidInEveryReaderAndPrintBack() {
    GfidAliases aliases = new GfidAliases();
    TraceReader reader =
        new TraceReader(
            new StringReader(
                "{\"ts\": 1, \"client\": \"c\", \"fop\": \"CREATE\", \"gfid\": \"dir1/file\", \"parent\": \"dir1\"}"),
            aliases);

    FopRecord fop = ((TraceEvent.FopEvent) reader.next().orElseThrow()).record();

    assertThat(reader.aliases()).isSameAs(aliases);
    assertThat(aliases.display(fop.getGfid())).isEqualTo("dir1/file");
    assertThat(aliases.display(fop.getParent())).isEqualTo("dir1");
    assertThat(fop.getGfid()).isEqualTo(new GfidAliases().resolve("dir1/file"));
  }

  private static TraceEvent single(String line) {
    TraceReader reader = new TraceReader(new StringReader(line + "\n"));
    TraceEvent event = reader.next().orElseThrow();
    assertThat(reader.next()).isEmpty();
    return event;
  }
}
