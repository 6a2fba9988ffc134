package dev.pipekeeper.core.config;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import java.util.regex.Pattern;

/**
 * Configuration key names: dot-separated words of {@code a-z 0-9 _ -}, each starting with a letter
 * or a digit, at most 200 characters, e.g. {@code alert.threshold}.
 */
public final class ConfigKeys {
  private static final Pattern KEY =
      Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*");
  private static final int MAX_LENGTH = 200;

  private ConfigKeys() {}

  /**
   * Checks a key.
   *
   * @return the key
   * @throws InvalidInputException naming the key and what is wrong with it
   */
  public static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw new InvalidInputException("config key is empty");
    }
    if (key.length() > MAX_LENGTH) {
      throw new InvalidInputException(
          "config key "
              + Names.quote(key.substring(0, 40))
              + "... is longer than "
              + MAX_LENGTH
              + " characters");
    }
    if (!KEY.matcher(key).matches()) {
      throw new InvalidInputException(
          "config key "
              + Names.quote(key)
              + " is malformed: use dot-separated words of a-z 0-9 _ -, each starting with a"
              + " letter or a digit, e.g. alert.threshold");
    }
    return key;
  }
}
