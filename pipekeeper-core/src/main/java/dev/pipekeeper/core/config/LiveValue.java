package dev.pipekeeper.core.config;

/**
 * A key bound to a typed holder that always has the current (last good) value, or the default while
 * the key is unset. Reading is cheap and never touches ZooKeeper. Thread-safe.
 */
public interface LiveValue<T> {

  String key();

  /** The current value. */
  T get();
}
