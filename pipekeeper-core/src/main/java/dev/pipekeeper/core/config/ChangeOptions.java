package dev.pipekeeper.core.config;

import java.util.OptionalInt;

/**
 * Who makes a change, why, and on which version it was based.
 *
 * @param who recorded in history (e.g. a user name); never empty
 * @param comment recorded in history; may be empty
 * @param expectedVersion for {@code set} and {@code delete}, the key's version the writer read; for
 *     {@code apply}, the scope's version; empty: optimistic, based on what Pipekeeper reads just
 *     before writing
 */
public record ChangeOptions(String who, String comment, OptionalInt expectedVersion) {

  public ChangeOptions {
    who = who == null || who.isBlank() ? "unknown" : who;
    comment = comment == null ? "" : comment;
    expectedVersion = expectedVersion == null ? OptionalInt.empty() : expectedVersion;
  }

  /** Optimistic, no comment, by {@code who}. */
  public static ChangeOptions by(String who) {
    return new ChangeOptions(who, "", OptionalInt.empty());
  }

  public ChangeOptions comment(String text) {
    return new ChangeOptions(who, text, expectedVersion);
  }

  public ChangeOptions expectVersion(int version) {
    return new ChangeOptions(who, comment, OptionalInt.of(version));
  }
}
