package dev.pipekeeper.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The arguments of a harness: words {@code key=value}, separated by spaces (Maven's {@code
 * -Dbench.args="rounds=5 threads=4"} arrives as one argument, so every argument is split on
 * whitespace). Every key has a default; a key no harness asks for is refused, so a typo does not go
 * unnoticed.
 */
final class BenchArgs {
  private final Map<String, String> given = new LinkedHashMap<>();
  private final Map<String, String> effective = new LinkedHashMap<>();

  private BenchArgs() {}

  static BenchArgs parse(String[] args) {
    BenchArgs parsed = new BenchArgs();
    String joined = String.join(" ", args).trim();
    if (joined.isEmpty()) {
      return parsed;
    }
    for (String word : joined.split("\\s+")) {
      int equals = word.indexOf('=');
      if (equals < 1) {
        throw new IllegalArgumentException("argument '" + word + "' is not key=value");
      }
      parsed.given.put(word.substring(0, equals), word.substring(equals + 1));
    }
    return parsed;
  }

  String string(String key, String defaultValue) {
    String value = given.getOrDefault(key, defaultValue);
    effective.put(key, value);
    return value;
  }

  int integer(String key, int defaultValue, int min) {
    String value = string(key, Integer.toString(defaultValue));
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "=" + value + " is not a whole number", e);
    }
    if (parsed < min) {
      throw new IllegalArgumentException(key + "=" + value + " is below " + min);
    }
    return parsed;
  }

  /** A comma-separated list whose every element is one of {@code allowed}. */
  List<String> list(String key, String defaultValue, List<String> allowed) {
    List<String> values = Arrays.asList(string(key, defaultValue).split(","));
    for (String value : values) {
      if (!allowed.contains(value)) {
        throw new IllegalArgumentException(key + ": '" + value + "' is not one of " + allowed);
      }
    }
    return values;
  }

  /**
   * Refuses keys that were given but never asked for; call once every argument has been read.
   *
   * @throws IllegalArgumentException naming the unknown keys and the known ones
   */
  BenchArgs checkNoneUnknown() {
    TreeSet<String> unknown = new TreeSet<>(given.keySet());
    unknown.removeAll(effective.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown argument(s) " + unknown + "; known: " + effective.keySet());
    }
    return this;
  }

  /** Every argument with the value in force, defaults included, for the report. */
  String describe() {
    return effective.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }
}
