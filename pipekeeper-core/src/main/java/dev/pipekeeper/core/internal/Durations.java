package dev.pipekeeper.core.internal;

import dev.pipekeeper.core.InvalidInputException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them, in configuration and on the command line: {@code 500ms},
 * {@code 5s}, {@code 2m}, {@code 1h}, {@code 0}, or ISO-8601 ({@code PT30S}).
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private Durations() {}

  /**
   * Reads a duration.
   *
   * @throws InvalidInputException naming the text if it is not a non-negative duration
   */
  public static Duration parse(String value) {
    String text = value == null ? "" : value.trim();
    if (text.equals("0")) {
      return Duration.ZERO; // zero needs no unit
    }
    Matcher matcher = SIMPLE.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
    try {
      Duration parsed = Duration.parse(text);
      if (!parsed.isNegative()) {
        return parsed;
      }
    } catch (DateTimeParseException e) {
      // fall through to the message below
    }
    throw new InvalidInputException(
        "'" + value + "' is not a duration; write it as 500ms, 5s, 2m or 1h");
  }

  /** The shortest of {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} that says {@code d}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
