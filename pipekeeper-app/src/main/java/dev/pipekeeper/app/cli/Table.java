package dev.pipekeeper.app.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A plain text table with aligned columns, as the listing commands print them. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... headers) {
    this.columns = headers.length;
    rows.add(headers);
  }

  Table row(Object... cells) {
    String[] row = new String[columns];
    for (int i = 0; i < columns; i++) {
      row[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "-";
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.size() == 1;
  }

  void print(PrintWriter out) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /**
   * How long ago {@code since} was, e.g. {@code 42s}, {@code 3m07s}, {@code 2h05m}, {@code 3d04h}.
   */
  static String age(Instant since, Instant now) {
    long seconds = Math.max(0, Duration.between(since, now).getSeconds());
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format("%dm%02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86_400) {
      return String.format("%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
    }
    return String.format("%dd%02dh", seconds / 86_400, (seconds % 86_400) / 3600);
  }
}
