package io.upcall.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What a local broker or cluster takes from the machine and gives back: a temporary directory (ports come from {@link FreePorts}). */
final class WorkDir {

  private WorkDir() {}

  /** Deletes {@code dir} (the directory of {@code owner}, e.g. "the broker") and all below it; nothing when null. */
  static void delete(Path dir, String owner) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + owner + "'s directory " + dir, e);
    }
  }
}
