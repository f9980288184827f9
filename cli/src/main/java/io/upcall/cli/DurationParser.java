package io.upcall.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/**
 * The one way every duration option is read and shown: a bare number is seconds, units are {@code ms}, {@code s},
 * {@code m} and {@code h} (and may follow each other, {@code 1m30s}); a duration is shown the same way ({@code 5s},
 * never {@code PT5S}).
 */
final class DurationParser {

  private static final Pattern BARE = Pattern.compile("\\d+(?:\\.\\d+)?");
  private static final Pattern PARTS = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
  static final String EXAMPLES = "such as 30 (seconds), 500ms, 30s, 5m or 1h";

  private DurationParser() {}

  /**
   * The duration {@code text} names.
   *
   * @throws IllegalArgumentException saying what was expected when it names none (negative durations included)
   */
  static Duration parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    if (BARE.matcher(value).matches()) {
      return nanos(new BigDecimal(value), 1_000_000_000L);
    }
    if (PARTS.matcher(value).matches()) {
      Duration total = Duration.ZERO;
      Matcher part = PART.matcher(value);
      while (part.find()) {
        long unitNanos =
            switch (part.group(2)) {
              case "ms" -> 1_000_000L;
              case "s" -> 1_000_000_000L;
              case "m" -> 60_000_000_000L;
              default -> 3_600_000_000_000L;
            };
        total = total.plus(nanos(new BigDecimal(part.group(1)), unitNanos));
      }
      return total;
    }
    throw new IllegalArgumentException("expected a duration " + EXAMPLES + ", was '" + text + "'");
  }

  /** {@code duration} as people write it: {@code 10s}, {@code 500ms}, {@code 1m30s}, {@code 2h}. */
  static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    long hours = duration.toHours();
    int minutes = duration.toMinutesPart();
    int seconds = duration.toSecondsPart();
    long nanos = duration.toNanosPart();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (minutes > 0) {
      text.append(minutes).append('m');
    }
    if (seconds > 0) {
      text.append(seconds).append('s');
    }
    if (nanos > 0) {
      text.append(new BigDecimal(nanos).movePointLeft(6).stripTrailingZeros().toPlainString())
          .append("ms");
    }
    return text.toString();
  }

  private static Duration nanos(BigDecimal amount, long unitNanos) {
    return Duration.ofNanos(amount.multiply(BigDecimal.valueOf(unitNanos)).longValue());
  }

  /** Picocli's converter for duration options; a bad value is a usage error naming the option. */
  static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
