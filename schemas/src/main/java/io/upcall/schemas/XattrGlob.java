package io.upcall.schemas;

import java.util.List;

/**
 * Shell-glob matching of xattr names against a client's registered patterns, as fnmatch(3) without flags:
 * {@code *} any run of characters, {@code ?} one character, {@code [...]} a class with ranges and {@code !} or
 * {@code ^} negation, {@code \} escapes the next character. Matching is direct (no regex) because patterns
 * come from clients and are evaluated per client on every xattr change. The streams app and the client library
 * share it, so what a client caches and what it is told about can never disagree.
 */
public final class XattrGlob {
  private XattrGlob() {}

  /** True when {@code name} matches at least one of {@code patterns}. */
  public static boolean matchesAny(List<String> patterns, String name) {
    for (String pattern : patterns) {
      if (matches(pattern, name)) {
        return true;
      }
    }
    return false;
  }

  /** True when the whole of {@code name} matches {@code pattern}. */
  public static boolean matches(String pattern, String name) {
    int p = 0;
    int n = 0;
    int resumePattern = -1;
    int resumeName = -1;
    while (n < name.length()) {
      if (p < pattern.length()) {
        if (pattern.charAt(p) == '*') {
          resumePattern = ++p;
          resumeName = n;
          continue;
        }
        int token = tokenLength(pattern, p, name.charAt(n));
        if (token > 0) {
          p += token;
          n++;
          continue;
        }
      }
      if (resumePattern < 0) {
        return false;
      }
      // Let the last star swallow one more character and retry from just after it.
      p = resumePattern;
      n = ++resumeName;
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /** The length of the pattern token at {@code p} when it matches {@code c}, else -1. */
  private static int tokenLength(String pattern, int p, char c) {
    char token = pattern.charAt(p);
    switch (token) {
      case '?':
        return 1;
      case '[':
        {
          int end = classEnd(pattern, p);
          if (end < 0) {
            return c == '[' ? 1 : -1; // an unclosed '[' is a literal, as in fnmatch
          }
          return classMatches(pattern, p, end, c) ? end - p + 1 : -1;
        }
      case '\\':
        if (p + 1 < pattern.length()) {
          return pattern.charAt(p + 1) == c ? 2 : -1;
        }
        return c == '\\' ? 1 : -1;
      default:
        return token == c ? 1 : -1;
    }
  }

  /** Index of the ']' closing the class opened at {@code open}, or -1; a ']' right after '[' or '[!' is literal. */
  private static int classEnd(String pattern, int open) {
    int i = open + 1;
    if (i < pattern.length() && (pattern.charAt(i) == '!' || pattern.charAt(i) == '^')) {
      i++;
    }
    if (i < pattern.length() && pattern.charAt(i) == ']') {
      i++;
    }
    int end = pattern.indexOf(']', i);
    return end;
  }

  private static boolean classMatches(String pattern, int open, int end, char c) {
    int i = open + 1;
    boolean negated = pattern.charAt(i) == '!' || pattern.charAt(i) == '^';
    if (negated) {
      i++;
    }
    boolean matched = false;
    while (i < end) {
      char low = pattern.charAt(i);
      if (i + 2 < end && pattern.charAt(i + 1) == '-') {
        matched |= low <= c && c <= pattern.charAt(i + 2);
        i += 3;
      } else {
        matched |= low == c;
        i++;
      }
    }
    return matched != negated;
  }
}
