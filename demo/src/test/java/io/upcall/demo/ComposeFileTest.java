package io.upcall.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files validate offline: {@code docker-compose config -q} (Debian's Compose 1.29, which .ci/run
 * installs) accepts docker/compose.yaml, and the Dockerfile runs the launcher as a non-root user.
 */
class ComposeFileTest {
  private static final Path REPO =
      Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
  private static final Path COMPOSE_FILE = REPO.resolve("docker/compose.yaml");
  private static final Path DOCKERFILE = REPO.resolve("docker/Dockerfile");

  @Test
  void composeFileValidates() throws Exception {
    Result result = dockerCompose(COMPOSE_FILE, "config", "-q");

    assertThat(result.exitCode())
        .as("docker-compose config -q said:%n%s", result.output())
        .isZero();
  }

  @Test
  void composeFileDeploysTheWholePipeline() throws Exception {
    Result result = dockerCompose(COMPOSE_FILE, "config", "--services");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output().lines().map(String::strip).toList())
        .contains(
            "kafka-1", "kafka-2", "kafka-3", "topics", "streams-1", "streams-2", "load", "demo");
  }

  @Test
  void validationRejectsABrokenDependency(@TempDir Path dir) throws Exception {
    // Proves the check above can fail: the same file with a dependency condition Compose does not
    // know.
    String broken =
        Files.readString(COMPOSE_FILE)
            .replace("condition: service_completed_successfully", "condition: service_finished");
    Path copy = Files.writeString(dir.resolve("compose.yaml"), broken);

    Result result = dockerCompose(copy, "config", "-q");

    assertThat(result.exitCode()).as(result.output()).isNotZero();
    assertThat(result.output()).contains("service_finished");
  }

  @Test
  void composeFileHasNoVersionKeySoComposeV2TakesItAsTheSpecification() throws IOException {
    List<String> lines = Files.readAllLines(COMPOSE_FILE);

    assertThat(lines).noneMatch(line -> line.startsWith("version:"));
  }

  @Test
  void dockerfileRunsTheLauncherAsANonRootUser() throws IOException {
    List<String> lines = Files.readAllLines(DOCKERFILE).stream().map(String::strip).toList();

    assertThat(lines).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/upcall.jar\"]");
    assertThat(lines).anyMatch(line -> line.startsWith("USER ") && !line.startsWith("USER root"));
    assertThat(lines).anyMatch(line -> line.startsWith("FROM ${RUNTIME_IMAGE}"));
    assertThat(lines).contains("ARG RUNTIME_IMAGE=eclipse-temurin:17-jre");
  }

  private record Result(int exitCode, String output) {}

  private static Result dockerCompose(Path file, String... args)
      throws IOException, InterruptedException {
    Path executable = onPath("docker-compose");
    assumeTrue(
        executable != null,
        "docker-compose is not installed, so the compose file is not validated here "
            + "(.ci/run installs Debian's docker-compose package)");
    List<String> command = new ArrayList<>(List.of(executable.toString(), "-f", file.toString()));
    command.addAll(List.of(args));
    Path output = Files.createTempFile("docker-compose-", ".out");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(file.getParent().toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(
            "docker-compose " + String.join(" ", args) + " did not finish within 2 minutes");
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
