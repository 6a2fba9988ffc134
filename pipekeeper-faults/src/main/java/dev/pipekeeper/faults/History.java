package dev.pipekeeper.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The histories of a scenario's processes, read back. Lines that are not events (a line torn by
 * {@code kill -9}, anything else written there) are skipped and reported, never a reason to refuse
 * the rest.
 *
 * @param events every event read, by process and then sequence
 * @param skipped each line skipped, as {@code file:line: reason}
 */
public record History(List<HistoryEvent> events, List<String> skipped) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public History {
    events = List.copyOf(events);
    skipped = List.copyOf(skipped);
  }

  /**
   * Reads one history file, or every {@link HistoryLog#SUFFIX} file in a folder.
   *
   * @throws UncheckedIOException if a file cannot be read
   */
  public static History read(Path path) {
    List<HistoryEvent> events = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    try {
      List<Path> files;
      if (Files.isDirectory(path)) {
        try (Stream<Path> listed = Files.list(path)) {
          files =
              listed
                  .filter(p -> p.getFileName().toString().endsWith(HistoryLog.SUFFIX))
                  .sorted()
                  .toList();
        }
      } else {
        files = List.of(path);
      }
      for (Path file : files) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          if (line.isEmpty()) {
            continue;
          }
          try {
            events.add(JSON.readValue(line, HistoryEvent.class));
          } catch (IOException | RuntimeException e) {
            skipped.add(
                file.getFileName() + ":" + (i + 1) + ": not an event (" + firstLine(e) + ")");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history in " + path, e);
    }
    events.sort(Comparator.comparing(HistoryEvent::process).thenComparingLong(HistoryEvent::seq));
    return new History(events, skipped);
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
