package dev.pipekeeper.app.demo;

import dev.pipekeeper.core.assignment.AssignmentStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** How the story writes what it measured and what it saw. */
final class Figures {
  private Figures() {}

  /** A number as written: {@code 3}, not {@code 3.0}. */
  static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** E.g. {@code 1200 ms}. */
  static String millis(long nanos) {
    return nanos / 1_000_000 + " ms";
  }

  /** E.g. {@code 1.2 s}. */
  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /** The units of each owner, by owner. */
  static Map<String, List<String>> unitsByOwner(AssignmentStatus status) {
    Map<String, List<String>> byOwner = new TreeMap<>();
    new TreeMap<>(status.owners())
        .forEach((unit, owner) -> byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(unit));
    return byOwner;
  }

  /** How many units each owner runs, e.g. {@code ingester-1 4, ingester-2 3}. */
  static String byOwner(AssignmentStatus status) {
    Map<String, Integer> counts = new HashMap<>();
    status.owners().values().forEach(o -> counts.merge(o, 1, Integer::sum));
    return new TreeMap<>(counts)
        .entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .reduce((a, b) -> a + ", " + b)
            .orElse("none yet");
  }
}
