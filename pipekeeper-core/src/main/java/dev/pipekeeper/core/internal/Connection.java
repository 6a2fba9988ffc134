package dev.pipekeeper.core.internal;

import dev.pipekeeper.core.Pipekeeper;

/**
 * What a capability built outside the connection (a monitor from its builder) needs of the
 * connection it runs on: its session, and a place to register what must close with it. Every {@link
 * Pipekeeper} made by {@code Pipekeeper.builder()} is one.
 */
public interface Connection {
  /** The connection's ZooKeeper session. */
  Session session();

  /**
   * Remembers {@code resource} so that closing the connection closes it.
   *
   * @return what forgets it again, for the resource's own close
   */
  Runnable track(AutoCloseable resource);

  /**
   * The connection behind {@code pk}.
   *
   * @throws IllegalArgumentException if {@code pk} was not made by {@code Pipekeeper.builder()}
   */
  static Connection of(Pipekeeper pk) {
    if (pk instanceof Connection connection) {
      return connection;
    }
    throw new IllegalArgumentException(
        "a connection made by Pipekeeper.builder() is needed, not " + pk.getClass().getName());
  }
}
