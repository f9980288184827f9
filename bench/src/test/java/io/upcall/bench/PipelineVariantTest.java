package io.upcall.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A run of both formats keeps each format's figures apart and the top level where one-format readers look. */
class PipelineVariantTest {

  @Test
  void bothFormatsAlternateWithinEachGuaranteeAndKeepTheirFieldsApart() {
    List<PipelineVariant> variants =
        PipelineVariant.of(
            BenchSettings.tiny().withFormats(BenchSettings.FORMATS), List.of("alo", "eos"));

    assertThat(variants)
        .extracting(PipelineVariant::name)
        .containsExactly("alo-per-client", "alo-batched", "eos-per-client", "eos-batched");
    assertThat(variants.get(0).field("pipeline.alo.records_written_per_fop"))
        .isEqualTo("format.per_client.pipeline.alo.records_written_per_fop");
    assertThat(PipelineVariant.of(BenchSettings.tiny(), List.of("alo")))
        .singleElement()
        .satisfies(
            variant ->
                assertThat(variant.field("pipeline.alo.fops_per_s"))
                    .isEqualTo("pipeline.alo.fops_per_s"))
        .satisfies(variant -> assertThat(variant.format()).isNull());
  }

  @Test
  void copyToTopMergesAScopeIntoTheTopLevelKeepingTheTopLevelsOwnFields() {
    BenchResults results = new BenchResults();
    results.put("ratio.streams_baseline_to_raw", 0.5);
    results.put("format.batched.ratio.invalidations_per_invalidation_record", 6.0);
    results.put("format.batched.pipeline.alo.fops_per_s", 3_000L);
    results.put("format.per_client.pipeline.alo.fops_per_s", 2_000L);

    results.copyToTop("format.batched.");

    assertThat(results.number("ratio.streams_baseline_to_raw")).isEqualTo(0.5);
    assertThat(results.number("ratio.invalidations_per_invalidation_record")).isEqualTo(6.0);
    assertThat(results.number("pipeline.alo.fops_per_s")).isEqualTo(3_000);
    assertThat(results.number("format.per_client.pipeline.alo.fops_per_s")).isEqualTo(2_000);
  }
}
