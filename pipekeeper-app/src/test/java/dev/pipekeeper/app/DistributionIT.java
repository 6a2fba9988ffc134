package dev.pipekeeper.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive {@code ./mvnw package} builds ({@code target/pipekeeper-VERSION.tar.gz}),
 * unpacked as a user would, with {@code tar}: {@code bin/pipekeeper} runs the command line from its
 * own {@code lib/}, through a symbolic link too (as from {@code /usr/local/bin}), with no source
 * tree and no Maven; the Connect plugin archive is beside it.
 */
class DistributionIT {
  @TempDir Path dir;

  @Test
  void theUnpackedArchiveRunsTheCommandLineAndCarriesThePlugin() throws Exception {
    Path archive = only(Path.of("target"), "pipekeeper-*.tar.gz");
    String name = archive.getFileName().toString().replace(".tar.gz", "");
    String version = name.substring("pipekeeper-".length());
    assertThat(run(List.of("tar", "xzf", archive.toAbsolutePath().toString()), dir).exit).isZero();
    Path home = dir.resolve(name);

    Path launcher = home.resolve("bin/pipekeeper");
    assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(home.resolve("lib/pipekeeper.jar")).isRegularFile();
    assertThat(home.resolve("README.md")).content().contains("bin/pipekeeper");
    assertThat(only(home.resolve("connect"), "pipekeeper-connect-" + version + "-plugin.zip"))
        .isRegularFile();

    Result shown = run(List.of(launcher.toString(), "--version"), dir);
    assertThat(shown.exit).as(shown.output).isZero();
    assertThat(shown.output).contains("pipekeeper " + version);

    Path link = Files.createSymbolicLink(dir.resolve("pipekeeper"), launcher);
    Result viaLink = run(List.of(link.toString(), "local", "--help"), dir);
    assertThat(viaLink.exit).as(viaLink.output).isZero();
    assertThat(viaLink.output).contains("Usage: pipekeeper local");

    Result wrong = run(List.of(launcher.toString(), "no-such-command"), dir);
    assertThat(wrong.exit).isNotZero();
  }

  private static Path only(Path folder, String glob) throws IOException {
    try (DirectoryStream<Path> found = Files.newDirectoryStream(folder, glob)) {
      for (Path path : found) {
        return path;
      }
    }
    throw new IllegalStateException("no " + folder.resolve(glob) + ": run ./mvnw package first");
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command, Path workingDir) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile());
    builder.redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not exit within 60 s");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
