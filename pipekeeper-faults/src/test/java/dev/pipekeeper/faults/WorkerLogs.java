package dev.pipekeeper.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A failed short run's worker logs, printed into the test's output (which the build keeps) before
 * its temporary folder is deleted: what each worker's client saw is how a violation is read.
 */
final class WorkerLogs {
  /** The most lines printed of one log: its end, where a violation's cause is. */
  private static final int LINES = 300;

  private WorkerLogs() {}

  /** Prints the end of every worker log under {@code dir} ({@code .../workers/ID-N.log}). */
  static void print(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path log :
          files
              .filter(f -> f.getParent().getFileName().toString().equals("workers"))
              .filter(f -> f.getFileName().toString().endsWith(".log"))
              .sorted()
              .toList()) {
        List<String> lines = Files.readAllLines(log);
        System.out.println(
            "---- " + log.getFileName() + " (last " + Math.min(LINES, lines.size()) + " lines)");
        lines.subList(Math.max(0, lines.size() - LINES), lines.size()).forEach(System.out::println);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the worker logs under " + dir, e);
    }
  }
}
