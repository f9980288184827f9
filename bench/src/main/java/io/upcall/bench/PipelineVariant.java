package io.upcall.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One configuration of the pipeline a run measures: a processing guarantee and an invalidation output format.
 *
 * @param tag the guarantee's field name: {@code alo} or {@code eos}
 * @param format the output format the app is given as {@link BenchSettings#FORMAT_CONFIG}, null for its default
 * @param scope prefix of the variant's fields: empty when the run measures one format, else
 *     {@code format.<format>.} (e.g. {@code format.per_client.pipeline.alo.records_written_per_fop})
 */
record PipelineVariant(String tag, String format, String scope) {

  /** Every guarantee under every format of {@code settings}: guarantee first, so a round reads alo…, eos…. */
  static List<PipelineVariant> of(BenchSettings settings, List<String> tags) {
    List<PipelineVariant> variants = new ArrayList<>();
    for (String tag : tags) {
      if (settings.formats().isEmpty()) {
        variants.add(new PipelineVariant(tag, null, ""));
      }
      for (String format : settings.formats()) {
        variants.add(
            new PipelineVariant(
                tag, format, settings.formats().size() == 1 ? "" : scopeOf(format)));
      }
    }
    return List.copyOf(variants);
  }

  /** The field prefix of {@code format}'s figures in a run of several formats: {@code format.per_client.}. */
  static String scopeOf(String format) {
    return "format." + format.replace('-', '_') + ".";
  }

  /** The Kafka Streams processing guarantee. */
  String guarantee() {
    return Bench.GUARANTEES.get(tag);
  }

  /** Part of its apps' names (and so of their topics): {@code alo}, or {@code alo-batched} among several formats. */
  String name() {
    return scope.isEmpty() ? tag : tag + "-" + format;
  }

  /** The field {@code path} of this variant, e.g. {@code pipeline.alo.fops_per_s} under its scope. */
  String field(String path) {
    return scope + path;
  }

  /** For progress lines: {@code at_least_once} or {@code at_least_once, batched}. */
  String describe() {
    return format == null ? guarantee() : guarantee() + ", " + format;
  }
}
