package io.upcall.streams.ops;

/** The body of every error answer: the status again and what was wrong, for people. */
public record Problem(int status, String error) {}
