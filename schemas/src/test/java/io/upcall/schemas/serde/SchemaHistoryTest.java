package io.upcall.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards the published schema history: changing a contract without publishing it as a new version fails the
 * build, so every record ever written stays readable.
 */
class SchemaHistoryTest {
  private static final Path CONTRACTS = Path.of("src/main/avro");
  private static final Path HISTORY = Path.of("src/main/resources", SchemaHistory.ROOT);

  /** Every top-level record contract (.avsc outside common/), as its generated class. */
  static Stream<Class<? extends SpecificRecord>> contracts() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Class<? extends SpecificRecord>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CONTRACTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        if (CONTRACTS.relativize(file).startsWith("common")) {
          continue;
        }
        JsonNode schema = json.readTree(file.toFile());
        String name = schema.get("namespace").asText() + "." + schema.get("name").asText();
        try {
          classes.add(Class.forName(name).asSubclass(SpecificRecord.class));
        } catch (ClassNotFoundException e) {
          throw new AssertionError(file + " generated no class " + name, e);
        }
      }
    }
    assertThat(classes)
        .as("contracts found in " + CONTRACTS.toAbsolutePath())
        .hasSizeGreaterThanOrEqualTo(8);
    return classes.stream();
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void everyContractIsPublished(Class<? extends SpecificRecord> type) {
    assertThat(SchemaHistory.published().versions(type.getSimpleName()))
        .as(
            "%s has no published version: add %s/v1/%s.avsc (Schema.toString(true) of the generated class)",
            type.getSimpleName(), HISTORY, type.getSimpleName())
        .isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void theCurrentSchemaIsItsNewestPublishedVersion(Class<? extends SpecificRecord> type) {
    List<SchemaVersion> versions = SchemaHistory.published().versions(type.getSimpleName());
    SchemaVersion newest = versions.get(versions.size() - 1);
    Schema current = SpecificData.getForClass(type).getSchema(type);

    assertThat(SchemaNormalization.parsingFingerprint64(current))
        .as(
            "%s changed since %s was published. Published versions never change: publish the change as "
                + "%s/v%d/%s.avsc (Schema.toString(true) of the new generated class)",
            type.getSimpleName(),
            newest.label(),
            HISTORY,
            newest.number() + 1,
            type.getSimpleName())
        .isEqualTo(newest.fingerprint());
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void theCurrentReaderCanResolveEveryPublishedVersion(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.getForClass(type).getSchema(type);
    for (SchemaVersion version : SchemaHistory.published().versions(type.getSimpleName())) {
      var compatibility =
          SchemaCompatibility.checkReaderWriterCompatibility(current, version.schema());

      assertThat(compatibility.getType())
          .as(
              "current %s reading %s: %s",
              type.getSimpleName(), version.label(), compatibility.getDescription())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void publishedVersionsDifferFromEachOther(Class<? extends SpecificRecord> type) {
    List<SchemaVersion> versions = SchemaHistory.published().versions(type.getSimpleName());

    assertThat(versions).extracting(SchemaVersion::fingerprint).doesNotHaveDuplicates();
  }

  @Test
  void everyHistoryFileIsLoaded() throws IOException {
    List<String> loaded = new ArrayList<>();
    contracts()
        .forEach(
            type ->
                SchemaHistory.published()
                    .versions(type.getSimpleName())
                    .forEach(v -> loaded.add("v" + v.number() + "/" + v.recordName() + ".avsc")));
    List<String> files;
    try (Stream<Path> walk = Files.walk(HISTORY)) {
      files =
          walk.filter(Files::isRegularFile)
              .map(f -> HISTORY.relativize(f).toString().replace('\\', '/'))
              .toList();
    }

    assertThat(loaded)
        .as(
            "history files that are never loaded (a gap in the numbering, or a record with no contract)")
        .containsExactlyInAnyOrderElementsOf(files);
  }
}
