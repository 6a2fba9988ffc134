package dev.pipekeeper.core.internal;

/** Where primitives register what must be closed with the connection. */
@FunctionalInterface
public interface Registry {
  /** Registers nothing: for short-lived helpers. */
  Registry NONE = resource -> () -> {};

  /**
   * Remembers {@code resource} so that closing the connection closes it.
   *
   * @return what forgets it again: its own close calls it, so a long-lived connection that opens
   *     and closes many primitives does not keep them
   */
  Runnable add(AutoCloseable resource);
}
