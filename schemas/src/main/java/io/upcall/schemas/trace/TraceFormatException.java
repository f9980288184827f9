package io.upcall.schemas.trace;

/** A trace line that is not in the trace format; the message is {@code line N: <reason>}. */
public final class TraceFormatException extends RuntimeException {
  private final long lineNumber;
  private final String reason;

  /** A malformed line {@code lineNumber} (1-based), for {@code reason} naming the field. */
  public TraceFormatException(long lineNumber, String reason) {
    super("line " + lineNumber + ": " + reason);
    this.lineNumber = lineNumber;
    this.reason = reason;
  }

  /** The 1-based line number of the malformed line, counting blank lines. */
  public long lineNumber() {
    return lineNumber;
  }

  /** What is wrong, without the line number. */
  public String reason() {
    return reason;
  }
}
