package io.upcall.streams.ops;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The parameters of a request's query string, decoded. */
final class Query {
  private final Map<String, String> parameters;

  private Query(Map<String, String> parameters) {
    this.parameters = parameters;
  }

  static Query parse(String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String value = equals < 0 ? "" : pair.substring(equals + 1);
        parameters.put(decode(name), decode(value));
      }
    }
    return new Query(parameters);
  }

  static Query of(Map<String, String> parameters) {
    return new Query(new LinkedHashMap<>(parameters));
  }

  /** A path segment or query part as sent; '+' stays '+' (clients encode spaces as %20). */
  static String decode(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  String get(String name) {
    return parameters.get(name);
  }

  /** {@code &name=value} when the request had it, for passing it on to another instance; else empty. */
  String forwarded(String name) {
    String value = parameters.get(name);
    return value == null ? "" : "&" + name + "=" + value;
  }
}
