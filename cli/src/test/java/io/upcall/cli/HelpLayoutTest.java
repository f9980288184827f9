package io.upcall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command's {@code --help} reads as written at 80 columns: picocli wraps the text, and no line breaks inside a
 * word, a dotted name ({@code upcall.invalidations}) or an option with its value ({@code --bootstrap-server=HOST:PORT}).
 */
class HelpLayoutTest {

  private static final int COLUMNS = 80;
  private static final Pattern BREAKABLE_END = Pattern.compile(".*[.\\-:=/,_\\[(]$");

  @Test
  void noLineBreaksInsideAWordOrAName() {
    List<String> problems = new ArrayList<>();
    for (CommandLine command : commands(UpcallCli.commandLine())) {
      String narrow = usage(command, COLUMNS);
      Set<String> words = words(usage(command, 1_000));
      List<String> lines = narrow.lines().toList();
      for (int i = 0; i + 1 < lines.size(); i++) {
        String line = lines.get(i);
        String next = lines.get(i + 1).strip();
        assertThat(line.length()).as(name(command) + ": " + line).isLessThanOrEqualTo(COLUMNS);
        if (line.isBlank() || next.isEmpty()) {
          continue;
        }
        String last = line.substring(line.stripTrailing().lastIndexOf(' ') + 1).strip();
        String first = next.split(" ", 2)[0];
        String joined = last + first;
        boolean splitName = BREAKABLE_END.matcher(last).matches() && words.contains(joined);
        boolean splitWord = words.contains(joined) && !words.contains(last);
        if (splitName || splitWord) {
          problems.add(
              name(command)
                  + ": '"
                  + last
                  + "' / '"
                  + first
                  + "' in\n"
                  + line
                  + "\n"
                  + lines.get(i + 1));
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /** A description is one paragraph per element; an element that stops mid-sentence was wrapped by hand. */
  @Test
  void descriptionsAreNotWrappedByHand() {
    List<String> problems = new ArrayList<>();
    for (CommandLine command : commands(UpcallCli.commandLine())) {
      CommandSpec spec = command.getCommandSpec();
      check(name(command), spec.usageMessage().description(), problems);
      for (OptionSpec option : spec.options()) {
        check(name(command) + " " + option.longestName(), option.description(), problems);
      }
      spec.positionalParameters()
          .forEach(p -> check(name(command) + " " + p.paramLabel(), p.description(), problems));
    }
    assertThat(problems).isEmpty();
  }

  private static void check(String where, String[] paragraphs, List<String> problems) {
    for (String paragraph : paragraphs) {
      String text = paragraph.replace("%n", "").strip();
      if (!text.isEmpty() && !text.matches("(?s).*[.:)!?…]$")) {
        problems.add(where + ": '" + text + "'");
      }
    }
  }

  private static String usage(CommandLine command, int width) {
    command.setUsageHelpWidth(width);
    return command.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  private static Set<String> words(String wide) {
    Set<String> words = new HashSet<>();
    wide.lines()
        .forEach(
            line -> {
              for (String word : line.strip().split("\\s+")) {
                if (!word.isEmpty()) {
                  words.add(word);
                }
              }
            });
    return words;
  }

  private static List<CommandLine> commands(CommandLine root) {
    List<CommandLine> all = new ArrayList<>();
    all.add(root);
    for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
      if (sub.getKey().equals(sub.getValue().getCommandName())) { // each once, not per alias
        all.addAll(commands(sub.getValue()));
      }
    }
    return all;
  }

  private static String name(CommandLine command) {
    return command.getCommandSpec().qualifiedName();
  }
}
