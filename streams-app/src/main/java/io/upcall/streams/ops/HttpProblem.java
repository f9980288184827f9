package io.upcall.streams.ops;

/** A request that cannot be answered as asked: becomes an error answer with this status and message. */
final class HttpProblem extends RuntimeException {
  private final int status;

  HttpProblem(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
