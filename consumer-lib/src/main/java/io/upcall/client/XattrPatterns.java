package io.upcall.client;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The xattr name patterns a client registers (shell globs with fnmatch(3) rules: {@code *}, {@code ?},
 * {@code [...]} with ranges and {@code !}/{@code ^} negation, {@code \} escaping), the same rules the streams
 * app matches them with. The cache keeps only xattrs these match, as no other would ever be invalidated.
 */
final class XattrPatterns {
  static final XattrPatterns NONE = new XattrPatterns(List.of());

  private final List<String> globs;
  private final List<Pattern> compiled;

  private XattrPatterns(List<String> globs) {
    this.globs = globs;
    this.compiled = globs.stream().map(glob -> Pattern.compile(toRegex(glob), Pattern.DOTALL)).toList();
  }

  static XattrPatterns of(Collection<String> globs) {
    Objects.requireNonNull(globs, "xattr patterns");
    for (String glob : globs) {
      if (glob == null || glob.isBlank()) {
        throw new IllegalArgumentException("xattr pattern must not be blank: " + globs);
      }
    }
    return new XattrPatterns(List.copyOf(globs));
  }

  List<String> globs() {
    return globs;
  }

  boolean matches(String name) {
    for (Pattern pattern : compiled) {
      if (pattern.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return globs.toString();
  }

  private static String toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          regex.append(".*");
          i++;
        }
        case '?' -> {
          regex.append('.');
          i++;
        }
        case '\\' -> {
          if (i + 1 < glob.length()) {
            regex.append(literal(glob.charAt(i + 1)));
            i += 2;
          } else {
            regex.append(literal(c));
            i++;
          }
        }
        case '[' -> {
          int end = classEnd(glob, i);
          if (end < 0) {
            regex.append(literal(c)); // an unclosed '[' is a literal, as in fnmatch
            i++;
          } else {
            regex.append(characterClass(glob, i, end));
            i = end + 1;
          }
        }
        default -> {
          regex.append(literal(c));
          i++;
        }
      }
    }
    return regex.toString();
  }

  /** Index of the ']' closing the class opened at {@code open}, or -1; a ']' right after '[' or '[!' is literal. */
  private static int classEnd(String glob, int open) {
    int i = open + 1;
    if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
      i++;
    }
    if (i < glob.length() && glob.charAt(i) == ']') {
      i++;
    }
    return glob.indexOf(']', i);
  }

  private static String characterClass(String glob, int open, int end) {
    int i = open + 1;
    boolean negated = glob.charAt(i) == '!' || glob.charAt(i) == '^';
    if (negated) {
      i++;
    }
    StringBuilder members = new StringBuilder();
    while (i < end) {
      char low = glob.charAt(i);
      if (i + 2 < end && glob.charAt(i + 1) == '-') {
        char high = glob.charAt(i + 2);
        if (low <= high) {
          members.append(classMember(low)).append('-').append(classMember(high));
        }
        i += 3;
      } else {
        members.append(classMember(low));
        i++;
      }
    }
    if (members.isEmpty()) {
      return negated ? "." : "(?!)";
    }
    return (negated ? "[^" : "[") + members + "]";
  }

  private static String literal(char c) {
    return Pattern.quote(String.valueOf(c));
  }

  private static String classMember(char c) {
    return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
  }
}
