package io.upcall.cli;

/**
 * A failure a command explains completely in its message, e.g. a cluster that cannot be reached: the launcher prints
 * it as the one line {@code upcall: <message>}, without pointing at a stack trace (still shown with --verbose).
 */
final class CommandFailure extends RuntimeException {

  CommandFailure(String message) {
    super(message);
  }

  CommandFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
