package io.upcall.producers;

import java.time.Duration;

/**
 * A snapshot of a {@link BrickPublisher}'s counters.
 *
 * @param sent              fop records acknowledged by Kafka
 * @param failed            fop records whose future completed with a {@link PublishException}
 * @param refused           fop records refused at the call because they break the contract
 * @param inFlight          fop records handed to Kafka and not yet acknowledged or failed
 * @param heartbeats        heartbeat records acknowledged (one per partition per round)
 * @param heartbeatsFailed  heartbeat records that could not be delivered
 * @param sendLatencyP50    median time from {@code publish} to acknowledgement
 * @param sendLatencyP99    99th percentile of that time
 */
public record PublisherMetrics(
    long sent,
    long failed,
    long refused,
    long inFlight,
    long heartbeats,
    long heartbeatsFailed,
    Duration sendLatencyP50,
    Duration sendLatencyP99) {}
