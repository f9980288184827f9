package io.upcall.streams.ops;

import java.util.List;

/**
 * The answer of {@code GET /switches}: the switches every instance applies now, and whether the asked instance
 * lets the console change them.
 *
 * @param instances each instance's {@code /config}, by instance
 * @param errors the instances that did not answer, with why
 * @param changesAllowed whether {@code POST /config} is allowed on the asked instance
 *     ({@value HttpSettings#ALLOW_CONFIG_CHANGES_CONFIG})
 * @param topic the topic changes are written to
 */
public record Switchboard(
    List<AppliedConfig> instances, List<String> errors, boolean changesAllowed, String topic) {}
