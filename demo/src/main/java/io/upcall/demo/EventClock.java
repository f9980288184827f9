package io.upcall.demo;

import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * Event times for the fops of a group of bricks that publish one fop at a time (under their owner's lock, or from
 * one thread), and the clock their heartbeats are stamped with. A heartbeat at t promises that every fop before t
 * is published, so it may claim only what was already handed to a publisher: the stamp of the last fop handed
 * over, or the wall clock while nothing is being published.
 */
final class EventClock {
  private final LongSupplier wallClockMs;

  /** The latest stamp given out; guarded by the owner's lock. */
  private long latestMs;

  /** Every fop stamped before this is handed to its publisher. */
  private volatile long handedOffMs;

  EventClock(LongSupplier wallClockMs) {
    this.wallClockMs = wallClockMs;
    this.latestMs = wallClockMs.getAsLong();
    this.handedOffMs = latestMs;
  }

  /**
   * The event time of the next fop: never earlier than one given out before (a brick's clock does not go back),
   * and later than {@code afterMs}, the latest event on any inode the fop concerns. Per-inode times strictly
   * increase, as a brick deciding under the inode lock would order them, so an access that read the old state is
   * always earlier than the change that replaced it. Call with the owner's lock held.
   */
  long stamp(long afterMs) {
    long stamp = Math.max(Math.max(wallClockMs.getAsLong(), latestMs), afterMs + 1);
    latestMs = stamp;
    return stamp;
  }

  /** The fop stamped {@code stampMs} is handed to its publisher. Call with the owner's lock held. */
  void handedOff(long stampMs) {
    handedOffMs = stampMs;
  }

  /** Nothing is being published (call with the owner's lock held): heartbeats may claim the time now. */
  void idle() {
    long now = Math.max(wallClockMs.getAsLong(), latestMs);
    latestMs = now;
    handedOffMs = now;
  }

  /** The clock for the group's {@code BrickPublisher}s to stamp heartbeats with. */
  InstantSource heartbeats() {
    return () -> Instant.ofEpochMilli(handedOffMs);
  }

  long wallClockMs() {
    return wallClockMs.getAsLong();
  }
}
