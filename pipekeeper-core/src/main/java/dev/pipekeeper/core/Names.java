package dev.pipekeeper.core;

import java.util.regex.Pattern;

/**
 * The rule for names that become one element of a ZooKeeper path: groups, members, roles, locks,
 * barriers, pipelines, config keys' scopes. Builders and the CLI check names with it before
 * anything is written, so a bad name is refused with a message that says what it is for.
 */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

  private Names() {}

  /**
   * Checks a name that becomes one path element.
   *
   * @param what what the name is for, as the message should say it ("group", "role", ...)
   * @return the name
   * @throws InvalidInputException naming what the name is for and why it is refused
   */
  public static String check(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          what
              + " name '"
              + name
              + "' is not valid: use 1 to 200 characters of A-Z a-z 0-9 . _ -, not starting with '.'");
    }
    return name;
  }
}
