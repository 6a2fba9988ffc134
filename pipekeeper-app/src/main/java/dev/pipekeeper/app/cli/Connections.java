package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.ZkLayout;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

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

  /**
   * What {@code read} gives for {@code group}, or for every group {@code groups} lists when {@code
   * group} is null, by group name, over one connection.
   *
   * @throws dev.pipekeeper.core.InvalidInputException (exit 2) for a malformed group name
   */
  static <T> Map<String, T> perGroup(
      PipekeeperCommand root,
      String group,
      Function<Pipekeeper, List<String>> groups,
      BiFunction<Pipekeeper, String, T> read) {
    if (group != null) {
      ZkLayout.name("group", group);
    }
    Map<String, T> byGroup = new TreeMap<>();
    try (Pipekeeper pk = open(root)) {
      for (String g : group != null ? List.of(group) : groups.apply(pk)) {
        byGroup.put(g, read.apply(pk, g));
      }
    }
    return byGroup;
  }
}
