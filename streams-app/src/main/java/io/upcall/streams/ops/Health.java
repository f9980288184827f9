package io.upcall.streams.ops;

/** The answer of {@code GET /health}: 200 while the KafkaStreams state is RUNNING, else 503 with the state. */
public record Health(String instance, String state) {}
