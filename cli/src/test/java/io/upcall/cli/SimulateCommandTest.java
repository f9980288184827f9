package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code upcall simulate}: errors name the file and line, aliases are said once, --explain adds only the cause. */
class SimulateCommandTest {

  private static final String LOOKUP =
      "{\"ts\": 1000, \"client\": \"c1\", \"fop\": \"LOOKUP\", \"gfid\": \"f\"}";
  private static final String WRITE =
      "{\"ts\": 2000, \"client\": \"c2\", \"fop\": \"WRITE\", \"gfid\": \"f\"}";
  private static final String SETATTR =
      "{\"ts\": 3000, \"client\": \"c1\", \"fop\": \"SETATTR\", "
          + "\"gfid\": \"f\", \"modeChanged\": true}";

  @TempDir Path dir;

  @Test
  void printsTheInvalidationsAsBefore() throws IOException {
    Path trace =
        trace(
            "trace.jsonl",
            LOOKUP,
            WRITE,
            LOOKUP.replace("1000", "2500").replace("c1", "c2"),
            SETATTR);

    CliRunner.Result result = CliRunner.once("simulate", trace.toString());

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .isEqualTo(
            String.join(
                    System.lineSeparator(),
                    "{\"client\":\"c1\",\"gfid\":\"f\",\"flags\":[\"SIZE\",\"TIMES\"],\"ts\":2000}",
                    "{\"client\":\"c2\",\"gfid\":\"f\",\"flags\":[\"MODE\",\"OWN\",\"SIZE\",\"TIMES\",\"PERM\",\"XATTR\"],\"ts\":3000}")
                + System.lineSeparator());
  }

  @Test
  void explainAddsWhatCausedEachLineAndNothingElse() throws IOException {
    Path trace =
        trace(
            "trace.jsonl",
            LOOKUP,
            WRITE,
            LOOKUP.replace("1000", "2500").replace("c1", "c2"),
            SETATTR);

    String plain = CliRunner.once("simulate", trace.toString()).out();
    CliRunner.Result explained = CliRunner.once("simulate", "--explain", trace.toString());

    assertThat(explained.exit()).isZero();
    assertThat(explained.out().lines())
        .containsExactly(
            "{\"client\":\"c1\",\"gfid\":\"f\",\"flags\":[\"SIZE\",\"TIMES\"],\"ts\":2000,"
                + "\"cause\":{\"line\":2,\"fop\":\"WRITE\",\"gfid\":\"f\",\"originator\":\"c2\"}}",
            "{\"client\":\"c2\",\"gfid\":\"f\",\"flags\":[\"MODE\",\"OWN\",\"SIZE\",\"TIMES\",\"PERM\",\"XATTR\"],\"ts\":3000,"
                + "\"cause\":{\"line\":4,\"fop\":\"SETATTR\",\"gfid\":\"f\",\"originator\":\"c1\"}}");
    assertThat(explained.out().replaceAll(",\"cause\":\\{[^}]*\\}", "")).isEqualTo(plain);
  }

  @Test
  void aMalformedLineIsOneLineWithTheFileAndLineAndExitTwo() throws IOException {
    Path trace =
        trace("trace.jsonl", LOOKUP, "{\"ts\": 2000, \"client\": \"c2\", \"fop\": \"WRITE\", x}");

    CliRunner.Result bad = CliRunner.once("simulate", trace.toString());
    assertThat(bad.exit()).isEqualTo(UpcallCli.EXIT_USAGE);
    assertThat(bad.err().lines().toList())
        .last()
        .isEqualTo(trace + ":2: not valid JSON at column 46");
    assertThat(bad.err()).doesNotContain("Unexpected character", "code", "Exception");
  }

  @Test
  void anEmptyTraceSaysNoRecordsWereRead() throws IOException {
    CliRunner.Result result = CliRunner.once("simulate", trace("empty.jsonl").toString());

    assertThat(result.exit()).isZero();
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("0 records read");
  }

  @Test
  void aGfidThatIsNotAUuidIsSaidOncePerAliasAndRefusedWhenStrict() throws IOException {
    String mistyped = "6f1c2f0e-8a4b-4c3e-9d2a-1b5e7c9f0a1";
    Path trace =
        trace("trace.jsonl", LOOKUP, WRITE, SETATTR.replace("\"f\"", "\"" + mistyped + "\""));

    CliRunner.Result lenient = CliRunner.once("simulate", trace.toString());
    assertThat(lenient.exit()).isZero();
    assertThat(lenient.err().lines())
        .containsExactly(
            trace + ":1: gfid 'f' is not a UUID; read as an alias (--strict-gfids refuses it)",
            trace
                + ":3: gfid '"
                + mistyped
                + "' is not a UUID; read as an alias (--strict-gfids refuses it)");

    CliRunner.Result strict = CliRunner.once("simulate", "--strict-gfids", trace.toString());
    assertThat(strict.exit()).isEqualTo(UpcallCli.EXIT_USAGE);
    assertThat(strict.err())
        .isEqualTo(
            trace
                + ":1: field 'gfid': 'f' is not a UUID (--strict-gfids)"
                + System.lineSeparator());
    assertThat(strict.out()).isEmpty();
  }

  private Path trace(String name, String... lines) throws IOException {
    return Files.writeString(
        dir.resolve(name), lines.length == 0 ? "" : String.join("\n", lines) + "\n");
  }
}
