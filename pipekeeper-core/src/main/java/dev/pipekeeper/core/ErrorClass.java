package dev.pipekeeper.core;

import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.leader.FencedException;
import java.util.Locale;

/**
 * What kind of failure an exception is, for those who report it: the one classification the CLI's
 * exit codes and the console's HTTP statuses are both derived from ({@link #of}).
 */
public enum ErrorClass {
  /** Input was refused before anything was done ({@link InvalidInputException}). */
  BAD_INPUT,
  /** What was asked for is not there ({@link NotFoundException}). */
  NOT_FOUND,
  /**
   * Something changed since it was read, or a term ended ({@link ConfigConflictException}, {@link
   * FencedException}); nothing was written.
   */
  CONFLICT,
  /**
   * ZooKeeper refused for lack of permission, or refused the credentials ({@link
   * NotAuthorizedException}, {@link AuthenticationException}).
   */
  FORBIDDEN,
  /** A server did not answer in time ({@link UnreachableException}); retrying may succeed. */
  UNREACHABLE,
  /** Any other expected failure ({@link PipekeeperException}). */
  FAILED,
  /** A bug: something no input should cause. */
  INTERNAL;

  /**
   * The class of {@code error}: the most specific one its type is, {@link #INTERNAL} for anything
   * that is no {@link PipekeeperException}.
   */
  public static ErrorClass of(Throwable error) {
    if (error instanceof NotFoundException) {
      return NOT_FOUND;
    }
    if (error instanceof InvalidInputException) {
      return BAD_INPUT;
    }
    if (error instanceof ConfigConflictException || error instanceof FencedException) {
      return CONFLICT;
    }
    if (error instanceof NotAuthorizedException || error instanceof AuthenticationException) {
      return FORBIDDEN;
    }
    if (error instanceof UnreachableException) {
      return UNREACHABLE;
    }
    if (error instanceof PipekeeperException) {
      return FAILED;
    }
    return INTERNAL;
  }

  /** Its name as reported in JSON, e.g. {@code bad-input}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
