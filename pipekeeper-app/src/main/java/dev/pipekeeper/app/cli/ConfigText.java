package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.config.Secrets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** How the config commands show values, times and commits; secrets are always masked. */
final class ConfigText {
  /** Values longer than this are cut in tables (the whole value is in {@code --json}). */
  private static final int CELL_LIMIT = 60;

  private ConfigText() {}

  /** A value as text, masked if secret; {@code (none)} if absent. */
  static String value(JsonNode value, boolean secret) {
    return Secrets.display(value, secret);
  }

  /** A value pretty-printed over lines, masked if secret. */
  static List<String> prettyLines(JsonNode value, boolean secret) {
    if (value == null) {
      return List.of("(deleted)");
    }
    if (secret) {
      return List.of(Secrets.MASK);
    }
    return Json.write(value).lines().toList();
  }

  /** {@code text} cut to fit a table cell. */
  static String cell(String text) {
    if (text.length() <= CELL_LIMIT) {
      return text;
    }
    return text.substring(0, CELL_LIMIT - 3) + "...";
  }

  /** An instant to the second, e.g. {@code 2025-06-01T10:00:00Z}. */
  static String when(Instant at) {
    return at == null ? "-" : at.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
