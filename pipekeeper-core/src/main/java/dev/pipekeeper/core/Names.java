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
    if (!isValid(name)) {
      throw new InvalidInputException(
          what
              + " name "
              + quote(name)
              + " is not valid: use 1 to 200 characters of A-Z a-z 0-9 . _ -, not starting with '.'");
    }
    return name;
  }

  /** Whether {@code name} satisfies the rule {@link #check} enforces. */
  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Input longer than this is cut when quoted in a message. */
  static final int QUOTED_MAX = 80;

  /**
   * {@code input} as a message quotes it: in single quotes, on one printable line (as {@link
   * #printable} makes it), cut after 80 characters with the length said. A refusal that quotes its
   * input so cannot break a log line or a terminal, however hostile the input.
   */
  public static String quote(String input) {
    if (input == null) {
      return "null";
    }
    String cut = input.length() > QUOTED_MAX ? input.substring(0, QUOTED_MAX) : input;
    return "'"
        + printable(cut, QUOTED_MAX)
        + "'"
        + (cut.length() < input.length() ? "... (" + input.length() + " characters)" : "");
  }

  /**
   * {@code text} on one printable line: control and format characters, line and paragraph
   * separators and lone surrogates written as a backslash, u and four hex digits; cut after {@code
   * max} characters with "..." when longer. For messages that carry text from outside (a library's
   * exception message, a stored value's fragment).
   */
  public static String printable(String text, int max) {
    if (text == null) {
      return "null";
    }
    String cut = text.length() > max ? text.substring(0, max) : text;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < cut.length()
              && Character.isLowSurrogate(cut.charAt(i + 1));
      if (pair) {
        out.append(c).append(cut.charAt(++i));
      } else if (Character.isISOControl(c)
          || Character.isSurrogate(c)
          || Character.getType(c) == Character.FORMAT
          || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return cut.length() < text.length() ? out.append("...").toString() : out.toString();
  }
}
