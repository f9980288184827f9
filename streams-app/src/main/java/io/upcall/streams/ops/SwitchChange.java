package io.upcall.streams.ops;

/**
 * The body of {@code POST /config}, and of its answer.
 *
 * @param option a runtime switch, e.g. cache-invalidation-timeout
 * @param value as asked; in the answer, the canonical value written
 * @param topic in the answer: the topic written to, else null
 * @param offset in the answer: the record's offset, else -1
 */
public record SwitchChange(String option, String value, String topic, long offset) {}
