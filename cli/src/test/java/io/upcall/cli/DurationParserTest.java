package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One duration syntax for every option: a bare number is seconds; ms, s, m, h; shown as typed, never as PT5S. */
class DurationParserTest {

  @ParameterizedTest
  @CsvSource({
    "30,      PT30S",
    "1.5,     PT1.5S",
    "0,       PT0S",
    "500ms,   PT0.5S",
    "30s,     PT30S",
    "5m,      PT5M",
    "1h,      PT1H",
    "1m30s,   PT1M30S",
    "' 2 s ', PT2S",
    "10S,     PT10S",
    "0.5ms,   PT0.0005S"
  })
  void readsWhatPeopleType(String text, String iso) {
    assertThat(DurationParser.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "3x", "-5s", "5 minutes", "s", "1.s", "PT5S"})
  void refusesWhatIsNoDurationSayingWhatItExpects(String text) {
    assertThatThrownBy(() -> DurationParser.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "expected a duration such as 30 (seconds), 500ms, 30s, 5m or 1h, was '" + text + "'");
  }

  @ParameterizedTest
  @CsvSource({
    "PT5S, 5s",
    "PT0.5S, 500ms",
    "PT1M30S, 1m30s",
    "PT2H, 2h",
    "PT0S, 0s",
    "PT10.25S, 10s250ms",
    "PT0.0005S, 0.5ms",
    "PT-5S, -5s",
    "PT26H, 26h"
  })
  void showsADurationAsItWouldBeTyped(String iso, String shown) {
    assertThat(DurationParser.format(Duration.parse(iso))).isEqualTo(shown);
    if (!shown.startsWith("-")) {
      assertThat(DurationParser.parse(shown)).isEqualTo(Duration.parse(iso));
    }
  }

  @Test
  void everyDurationOptionReadsTheSameSyntax() {
    // load refused a bare number before; demo took it: both take it now, and say why a value is bad
    // alike.
    CliRunner.Result load = CliRunner.once("load", "--duration", "10", "--count", "5");
    assertThat(load.err()).contains("--duration and --count exclude each other");
    CliRunner.Result demo = CliRunner.once("demo", "--duration", "10", "--clients", "1");
    assertThat(demo.err()).contains("--clients must be at least 2");

    for (String[] args :
        new String[][] {
          {"load", "--duration", "3x"},
          {"demo", "--duration", "3x"},
          {"publish", "--max-block", "3x"},
          {"tail", "--timeout", "3x"},
          {"topics", "--timeout", "3x"},
          {"config", "get", "--timeout", "3x"},
          {"streams", "--timeout", "3x"},
          {"demo", "--staleness-bound", "3x"}
        }) {
      CliRunner.Result result = CliRunner.once(args);
      assertThat(result.exit()).as(String.join(" ", args)).isEqualTo(UpcallCli.EXIT_USAGE);
      assertThat(result.err())
          .as(String.join(" ", args))
          .contains("expected a duration such as 30 (seconds), 500ms, 30s, 5m or 1h, was '3x'")
          .hasLineCount(2);
    }
    CliRunner.Result zero =
        CliRunner.once("tail", "--timeout", "0", "--bootstrap-server", "127.0.0.1:1");
    assertThat(zero.err()).startsWith("upcall: --timeout must be positive, was 0s");
  }
}
