package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;

/** Opens the Pipekeeper connection a command works with, from the global options. */
final class Connections {
  private Connections() {}

  /**
   * Connects to {@code --zk} under {@code --cluster}, waiting at most {@code --connect-timeout}.
   *
   * @throws dev.pipekeeper.core.UnreachableException (exit 1) if ZooKeeper does not answer
   * @throws dev.pipekeeper.core.InvalidInputException (exit 2) for a malformed address or name
   */
  static Pipekeeper open(PipekeeperCommand root) {
    return Pipekeeper.builder()
        .zookeeper(root.zk)
        .cluster(root.cluster)
        .identity("pipekeeper-cli-" + ProcessHandle.current().pid())
        .connectionTimeout(root.connectTimeout)
        .build();
  }
}
