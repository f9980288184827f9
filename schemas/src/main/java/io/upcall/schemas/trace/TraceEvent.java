package io.upcall.schemas.trace;

import io.upcall.avro.FopRecord;
import io.upcall.avro.XattrInterest;

/** One line of a trace: a fop, or a client registering the xattr patterns it caches. */
public sealed interface TraceEvent {

  /** The 1-based line of the trace this came from. */
  long lineNumber();

  /** The line's {@code ts}: event time, epoch ms. */
  long eventTimeMs();

  /** The line's {@code client}: the client uid. */
  String client();

  /** A fop line; the record has volume and brick "trace" unless the line gave them, fopId "trace:N", no stats. */
  record FopEvent(long lineNumber, FopRecord record) implements TraceEvent {
    @Override
    public long eventTimeMs() {
      return record.getEventTimeMs();
    }

    @Override
    public String client() {
      return record.getClient();
    }
  }

  /** A {@code REGISTER_XATTRS} line: the client's new xattr patterns, replacing its old ones. */
  record XattrRegistration(long lineNumber, XattrInterest interest) implements TraceEvent {
    @Override
    public long eventTimeMs() {
      return interest.getUpdatedAtMs();
    }

    @Override
    public String client() {
      return interest.getClient();
    }
  }
}
