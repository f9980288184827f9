package io.upcall.streams.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/** What a route answers: a status, a content type and the body's bytes (JSON unless Prometheus text). */
record Reply(int status, String contentType, byte[] body) {
  static final String JSON = "application/json; charset=utf-8";

  /** Reads and writes the bodies; unknown fields are ignored, so an older instance can read a newer one's answer. */
  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static Reply ok(Object value) {
    return json(200, value);
  }

  static Reply json(int status, Object value) {
    try {
      return new Reply(status, JSON, MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  static Reply problem(int status, String error) {
    return json(status, new Problem(status, error));
  }

  /** Another instance's answer, passed on as it came. */
  static Reply passThrough(int status, String json) {
    return new Reply(status, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  static Reply text(String text, String contentType) {
    return new Reply(200, contentType, text.getBytes(StandardCharsets.UTF_8));
  }
}
