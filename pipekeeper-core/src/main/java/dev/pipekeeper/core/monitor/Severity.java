package dev.pipekeeper.core.monitor;

import dev.pipekeeper.core.InvalidInputException;
import java.util.Locale;

/** How urgent an alert is; written in lower case in rules and payloads. */
public enum Severity {
  INFO,
  WARNING,
  CRITICAL;

  /** The name as rules and payloads write it: {@code info}, {@code warning}, {@code critical}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads {@code info}, {@code warning} or {@code critical} (any case).
   *
   * @throws InvalidInputException for anything else
   */
  public static Severity parse(String text) {
    for (Severity s : values()) {
      if (s.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return s;
      }
    }
    throw new InvalidInputException(
        "severity '" + text + "' is not one of info, warning, critical");
  }
}
