package io.upcall.streams.ops;

import java.util.Map;

/**
 * The answer of {@code GET /config}: the runtime switches one instance applies now (start-up values overridden by
 * the {@code upcall.config} topic), and those it started with.
 */
public record AppliedConfig(
    String instance, Map<String, String> applied, Map<String, String> startup) {}
