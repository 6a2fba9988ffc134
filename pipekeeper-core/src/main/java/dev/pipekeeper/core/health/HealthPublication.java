package dev.pipekeeper.core.health;

/** A member's health being published; closing it deletes the record. */
public interface HealthPublication extends AutoCloseable {

  /** Publishes a fresh record now, off the interval (e.g. on a state change). */
  void publishNow();

  @Override
  void close();
}
