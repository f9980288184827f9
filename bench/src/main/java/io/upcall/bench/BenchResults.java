package io.upcall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of a bench run under dotted names ({@code latency.alo.r5000.p99_ms}), written as nested JSON
 * objects in the order they were measured.
 */
public final class BenchResults {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Object> root = new LinkedHashMap<>();

  /** Sets the field {@code path} (dots separate the levels); a non-finite number is written as null. */
  public BenchResults put(String path, Object value) {
    String[] names = path.split("\\.");
    Map<String, Object> level = root;
    for (int i = 0; i < names.length - 1; i++) {
      level = child(level, names[i]);
    }
    Object written = value instanceof Double d && !Double.isFinite(d) ? null : value;
    level.put(names[names.length - 1], written);
    return this;
  }

  /** The field {@code path}, or null when it was not measured. */
  public Object get(String path) {
    Object node = root;
    for (String name : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(name);
    }
    return node;
  }

  /** The number at {@code path}, or NaN when it was not measured. */
  public double number(String path) {
    return get(path) instanceof Number number ? number.doubleValue() : Double.NaN;
  }

  /** Whether {@code path} holds a value. */
  public boolean has(String path) {
    return get(path) != null;
  }

  /**
   * Copies every field under {@code scope} (e.g. {@code format.batched.}) to the top level, as if it had been put
   * without the scope; fields the top level has of its own stay.
   */
  public void copyToTop(String scope) {
    if (get(scope.endsWith(".") ? scope.substring(0, scope.length() - 1) : scope)
        instanceof Map<?, ?> subtree) {
      merge(root, subtree);
    }
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<?, ?> from) {
    from.forEach(
        (name, value) -> {
          if (value instanceof Map<?, ?> map) {
            merge(child(into, (String) name), map);
          } else {
            into.put((String) name, value);
          }
        });
  }

  /** The figures as indented JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@link #toJson()} to {@code file}. */
  public void write(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, toJson() + System.lineSeparator());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> level, String name) {
    Object existing = level.get(name);
    if (existing instanceof Map<?, ?>) {
      return (Map<String, Object>) existing;
    }
    Map<String, Object> created = new LinkedHashMap<>();
    level.put(name, created);
    return created;
  }
}
