package io.upcall.demo;

import java.time.Duration;

/**
 * One fault the chaos demo injected and how the product came through it.
 *
 * @param fault what was done, e.g. "kill -9 of node 2, leader of upcall.fops-3 (the busiest partition)"
 * @param healedIn from the injection until the cluster (and the app) were whole again and every client served
 * @param longestUnserved the longest a client refused to serve meanwhile (its cache could not prove itself fresh)
 * @param error why the fault could not be carried out or healed, or null
 */
public record FaultOutcome(
    String fault, Duration healedIn, Duration longestUnserved, String error) {}
