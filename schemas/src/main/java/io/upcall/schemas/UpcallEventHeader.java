package io.upcall.schemas;

/**
 * The header that marks an {@code upcall.invalidations} record as an upcall event (not a cache invalidation), with
 * its event type as value: a client that cannot decode such a record knows it dropped no invalidation, so it skips
 * it without dropping its cache.
 */
public final class UpcallEventHeader {
  /** Header name; the value is the event type's name in UTF-8, e.g. {@code LEASE_RECALL}. */
  public static final String NAME = "upcall.event-type";

  private UpcallEventHeader() {}
}
