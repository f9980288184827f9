package io.upcall.streams.ops;

import java.util.List;

/**
 * The answer of {@code GET /stats}: every instance's figures and their sum.
 *
 * @param complete false when an instance did not answer (its entry carries the error)
 */
public record StatsReport(List<InstanceStats> instances, InstanceStats total, boolean complete) {}
