package dev.pipekeeper.embedded;

import java.util.Optional;

/** One server of an {@link EmbeddedZooKeeper}, for tests that stop, restart or kill servers. */
public interface ZooKeeperNode {

  /** The server id, from 1. */
  int id();

  /** {@code 127.0.0.1:port} of its client port. */
  String clientAddress();

  int clientPort();

  /** Whether this server has been started and not stopped (a paused child counts as running). */
  boolean isRunning();

  /** Stops the server gracefully; its data is kept for a restart. Safe to call twice. */
  void stop();

  /**
   * Starts a stopped server again on the same ports and data; returns once it is serving (for a
   * quorum peer: once it has joined a quorum, which needs a majority of servers running).
   */
  void start();

  /** The child process of a server started with {@link Launch#CHILD_PROCESS}, while running. */
  Optional<ChildProcess> childProcess();
}
