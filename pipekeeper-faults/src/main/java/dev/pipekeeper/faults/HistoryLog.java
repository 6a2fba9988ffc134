package dev.pipekeeper.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A process's history file: one JSON line per {@link HistoryEvent}, handed to the operating system
 * as it is recorded, so a process killed with {@code kill -9} loses nothing it recorded (at most a
 * line it was writing, which {@link History#read} reports and skips). Appends: a restarted process
 * with the same id continues the file, and its numbering. Thread-safe.
 */
public final class HistoryLog implements AutoCloseable {
  /** The suffix of history files in a scenario's folder. */
  public static final String SUFFIX = ".history.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String process;
  private final OutputStream out;
  private long seq;
  private boolean closed;

  private HistoryLog(String process, OutputStream out, long seq) {
    this.process = process;
    this.out = out;
    this.seq = seq;
  }

  /**
   * Opens (or continues) {@code process}'s history in {@code dir}.
   *
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static HistoryLog open(Path dir, String process) {
    Path file = dir.resolve(process + SUFFIX);
    try {
      Files.createDirectories(dir);
      long seq = 0;
      if (Files.exists(file)) {
        History earlier = History.read(file);
        seq = earlier.events().stream().mapToLong(HistoryEvent::seq).max().orElse(0);
      }
      OutputStream out =
          Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      if (seq > 0 || Files.size(file) > 0) {
        out.write('\n'); // ends a line torn by a kill, so the next event is a line of its own
      }
      return new HistoryLog(process, out, seq);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the history " + file, e);
    }
  }

  /** Records an event now; returns it. */
  public synchronized HistoryEvent record(
      HistoryEvent.Kind kind, String resource, long token, long order) {
    if (closed) {
      throw new IllegalStateException("the history of " + process + " is closed");
    }
    HistoryEvent event =
        new HistoryEvent(process, ++seq, System.currentTimeMillis(), kind, resource, token, order);
    try {
      out.write((JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the history of " + process, e);
    }
    return event;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the history of " + process, e);
    }
  }
}
