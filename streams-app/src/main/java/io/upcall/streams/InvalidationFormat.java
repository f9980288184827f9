package io.upcall.streams;

import java.util.Locale;

/**
 * How the streams app writes invalidations to {@code upcall.invalidations}: one record per client and change, as
 * before batches existed, or one {@code InvalidationBatch} per partition listing many clients' changes, each change
 * encoded once (docs/semantics.md, "Wire format"). Clients of this version read both; older ones read only the
 * first, and drop their whole cache at every batch, so upgrade the clients before switching to batches.
 */
enum InvalidationFormat {
  PER_CLIENT("per-client"),
  BATCHED("batched");

  private final String text;

  InvalidationFormat(String text) {
    this.text = text;
  }

  /** The option's text, e.g. "per-client". */
  String text() {
    return text;
  }

  /** The format named {@code text} (any case); an IllegalArgumentException names the option and the choices. */
  static InvalidationFormat parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (InvalidationFormat format : values()) {
      if (format.text.equals(value)) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        Switches.INVALIDATION_FORMAT + " must be per-client or batched, got '" + text + "'");
  }
}
