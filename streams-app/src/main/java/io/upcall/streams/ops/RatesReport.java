package io.upcall.streams.ops;

import java.util.List;

/**
 * The answer of {@code GET /rates}: fops/s and invalidations/s of every instance over the last minutes, and their
 * input lag.
 *
 * @param complete false when an instance did not answer (its entry carries the error)
 */
public record RatesReport(List<InstanceRates> instances, boolean complete) {}
