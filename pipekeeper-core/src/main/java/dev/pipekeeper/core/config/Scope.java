package dev.pipekeeper.core.config;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;

/**
 * Where configuration applies: {@code global}, {@code pipeline/NAME} or {@code member/ID}. A
 * member's view resolves member over pipeline over global.
 *
 * @param kind the kind of scope
 * @param name the pipeline or member name; empty for global
 */
public record Scope(Kind kind, String name) {

  /** Kinds of scope, from the broadest. */
  public enum Kind {
    GLOBAL,
    PIPELINE,
    MEMBER
  }

  public Scope {
    if (kind == Kind.GLOBAL) {
      name = "";
    } else {
      Names.check(kind.name().toLowerCase(java.util.Locale.ROOT), name);
    }
  }

  public static Scope global() {
    return new Scope(Kind.GLOBAL, "");
  }

  public static Scope pipeline(String name) {
    return new Scope(Kind.PIPELINE, name);
  }

  public static Scope member(String id) {
    return new Scope(Kind.MEMBER, id);
  }

  /**
   * Parses {@code global}, {@code pipeline/NAME} or {@code member/ID}.
   *
   * @throws InvalidInputException naming what is wrong
   */
  public static Scope parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException("scope is empty; use global, pipeline/NAME or member/ID");
    }
    String trimmed = text.trim();
    if (trimmed.equals("global")) {
      return global();
    }
    int slash = trimmed.indexOf('/');
    String kind = slash < 0 ? trimmed : trimmed.substring(0, slash);
    String name = slash < 0 ? "" : trimmed.substring(slash + 1);
    if (kind.equals("pipeline") && !name.isEmpty()) {
      return pipeline(name);
    }
    if (kind.equals("member") && !name.isEmpty()) {
      return member(name);
    }
    throw new InvalidInputException(
        "scope " + Names.quote(text) + " is not valid; use global, pipeline/NAME or member/ID");
  }

  /** The scope as a relative path: {@code global}, {@code pipeline/NAME}, {@code member/ID}. */
  public String path() {
    return kind == Kind.GLOBAL
        ? "global"
        : kind.name().toLowerCase(java.util.Locale.ROOT) + "/" + name;
  }

  @Override
  public String toString() {
    return path();
  }
}
