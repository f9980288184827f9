package io.upcall.streams.ops;

/**
 * One of the hottest inodes of {@code GET /hot}.
 *
 * @param gfid canonical UUID
 * @param instance the instance whose store holds it
 * @param partition its partition
 * @param freshClients clients a change now would notify
 * @param trackedClients clients tracked, fresh or not
 * @param changedSamples of the last {@code samples} samples of its latest change, those in which it had moved: at
 *     least that many changes in that time (changes between two samples count once)
 * @param samples samples taken while it was tracked (one every {@code sampleSeconds})
 * @param sampleSeconds seconds between two samples
 * @param latestChange its latest change's event time, ISO-8601 UTC, or null
 */
public record HotInode(
    String gfid,
    String instance,
    int partition,
    long freshClients,
    long trackedClients,
    int changedSamples,
    int samples,
    int sampleSeconds,
    String latestChange) {}
