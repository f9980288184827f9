package io.upcall.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Wraps the help at spaces only. Picocli lays the help out itself, but wraps where {@link java.text.BreakIterator}
 * allows, which includes after a dot, a colon or a bracket: {@code upcall.} / {@code invalidations},
 * {@code --bootstrap-server=HOST:} / {@code PORT}. So each section is laid out by picocli without a width limit, then
 * wrapped here, a continuation line indented as picocli would (under the description column, or the synopsis).
 */
final class HelpLayout {

  /** Wide enough that picocli never wraps a line of its own. */
  private static final int UNWRAPPED = 10_000;

  private HelpLayout() {}

  /** Installs the layout on {@code command} and every subcommand. */
  static CommandLine install(CommandLine command) {
    Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>();
    command
        .getHelpSectionMap()
        .forEach((key, renderer) -> sections.put(key, help -> render(key, renderer, help)));
    command.setHelpSectionMap(sections);
    command.getSubcommands().values().forEach(HelpLayout::install);
    return command;
  }

  private static String render(String section, IHelpSectionRenderer renderer, Help help) {
    UsageMessageSpec usage = help.commandSpec().usageMessage();
    int width = usage.width();
    String unwrapped;
    usage.width(UNWRAPPED);
    try {
      unwrapped = renderer.render(help);
    } finally {
      usage.width(width);
    }
    // The synopsis follows its heading ("Usage: ") on the same line: wrap the two together.
    String heading =
        section.equals(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS)
            ? help.synopsisHeading()
            : "";
    String synopsisStart = heading + help.commandSpec().qualifiedName() + " ";
    return wrap(heading + unwrapped, width, synopsisStart).substring(heading.length());
  }

  /** Each line of {@code text} wrapped at spaces to {@code width}; a single word longer than that is left whole. */
  static String wrap(String text, int width, String synopsisStart) {
    int column = descriptionColumn(text, synopsisStart);
    StringBuilder wrapped = new StringBuilder(text.length() + 64);
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      String line = end < 0 ? text.substring(start) : text.substring(start, end);
      boolean cr = line.endsWith("\r");
      if (cr) {
        line = line.substring(0, line.length() - 1);
      }
      wrapLine(line, width, hangingIndent(line, synopsisStart, column), wrapped);
      if (end < 0) {
        break;
      }
      wrapped.append(cr ? "\r\n" : "\n");
      start = end + 1;
    }
    return wrapped.toString();
  }

  private static void wrapLine(String line, int width, int indent, StringBuilder out) {
    String rest = line;
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(' ', width);
      while (cut > indent && rest.charAt(cut - 1) == ' ') {
        cut--; // a run of spaces: break before the run, not inside it
      }
      if (cut <= indent) {
        cut = rest.indexOf(' ', width); // one word wider than the column: keep it whole
        if (cut < 0) {
          break;
        }
      }
      String head = rest.substring(0, cut).stripTrailing();
      String tail = rest.substring(cut).stripLeading();
      if (tail.isEmpty()) {
        rest = head;
        break;
      }
      out.append(head).append('\n');
      rest = " ".repeat(indent) + tail;
    }
    out.append(rest);
  }

  /**
   * Where a continuation of {@code line} starts: after the command name of the synopsis; else at the text after the
   * first gap of two or more spaces (the description column of an option or command list), or at the section's
   * description column when an option name fills its column up to one space; else at the line's own indentation.
   */
  private static int hangingIndent(String line, String synopsisStart, int column) {
    if (line.startsWith(synopsisStart)) {
      return synopsisStart.length();
    }
    int gap = gapEnd(line);
    if (gap >= 0) {
      return gap;
    }
    if (column > 0
        && line.length() > column
        && line.charAt(column - 1) == ' '
        && line.charAt(column) != ' '
        && !line.substring(0, column).isBlank()) {
      return column;
    }
    return indentation(line);
  }

  /** The column most lines of a list section start their description at; 0 when there is none. */
  private static int descriptionColumn(String text, String synopsisStart) {
    Map<Integer, Integer> counts = new LinkedHashMap<>();
    text.lines()
        .filter(line -> !line.startsWith(synopsisStart))
        .forEach(
            line -> {
              int gap = gapEnd(line);
              if (gap >= 0) {
                counts.merge(gap, 1, Integer::sum);
              }
            });
    return counts.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(0);
  }

  private static int indentation(String line) {
    int lead = 0;
    while (lead < line.length() && line.charAt(lead) == ' ') {
      lead++;
    }
    return lead;
  }

  /** Where the text after the first gap of two or more spaces begins (past the indentation), or -1. */
  private static int gapEnd(String line) {
    int lead = indentation(line);
    while (lead < line.length() && line.charAt(lead) == ' ') {
      lead++;
    }
    int gap = line.indexOf("  ", lead);
    while (gap >= 0) {
      int text = gap;
      while (text < line.length() && line.charAt(text) == ' ') {
        text++;
      }
      if (text < line.length()) {
        return text;
      }
      gap = line.indexOf("  ", text);
    }
    return -1;
  }
}
