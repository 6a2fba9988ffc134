package dev.pipekeeper.core.config;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.internal.ZkLayout;
import java.util.Optional;

/**
 * Where a configuration key lives in ZooKeeper, as an absolute path within the connection's chroot:
 * {@code /pipekeeper/CLUSTER/config/SCOPE/KEY} (the layout is Pipekeeper's own, built in one
 * place). For tools that are given paths and must write them through {@link Configuration}, such as
 * the Kafka Connect sink.
 *
 * @param cluster the cluster's name
 * @param scope the key's scope
 * @param key the key ({@link ConfigKeys})
 */
public record ConfigAddress(String cluster, Scope scope, String key) {
  public ConfigAddress {
    Names.check("cluster", cluster);
    ConfigKeys.check(key);
  }

  /** The absolute path of a cluster's configuration tree: {@code /pipekeeper/CLUSTER/config}. */
  public static String root(String cluster) {
    return ZkLayout.root(cluster) + ZkLayout.CONFIG;
  }

  /** The absolute path of the key's node. */
  public String path() {
    return ZkLayout.root(cluster) + ZkLayout.configKey(scope.path(), key);
  }

  /**
   * The cluster whose configuration tree {@code path} is in (its root or below it), if it is in
   * one.
   */
  public static Optional<String> clusterOf(String path) {
    String[] parts = elements(path);
    if (parts.length >= 3
        && ("/" + parts[0]).equals(ZkLayout.BASE)
        && ("/" + parts[2]).equals(ZkLayout.CONFIG)) {
      try {
        return Optional.of(Names.check("cluster", parts[1]));
      } catch (InvalidInputException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code path} is Pipekeeper's: {@code /pipekeeper} or below it (the trees of every
   * cluster).
   */
  public static boolean inPipekeepersTree(String path) {
    String[] parts = elements(path);
    return parts.length >= 1 && ("/" + parts[0]).equals(ZkLayout.BASE);
  }

  /**
   * The key whose node is at {@code path}.
   *
   * @throws InvalidInputException if {@code path} is not the node of a configuration key, saying
   *     why (outside a configuration tree, not a scope, a malformed key, a commit node)
   */
  public static ConfigAddress parse(String path) {
    String cluster =
        clusterOf(path)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        path + " is not in a configuration tree (/pipekeeper/CLUSTER/config/...)"));
    String[] parts = elements(path);
    // pipekeeper, CLUSTER, config, then global/KEY or pipeline|member/NAME/KEY
    if (parts.length < 5) {
      throw new InvalidInputException(
          path + " is not a configuration key (/pipekeeper/CLUSTER/config/SCOPE/KEY)");
    }
    String key = parts[parts.length - 1];
    String scopePath = String.join("/", java.util.Arrays.copyOfRange(parts, 3, parts.length - 1));
    Scope scope;
    try {
      scope = Scope.parse(scopePath);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(path + ": " + e.getMessage());
    }
    if (!scope.path().equals(scopePath)) {
      throw new InvalidInputException(path + ": '" + scopePath + "' is not a scope");
    }
    try {
      return new ConfigAddress(cluster, scope, key);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(path + ": " + e.getMessage());
    }
  }

  private static String[] elements(String path) {
    if (path == null || !path.startsWith("/") || path.length() == 1) {
      return new String[0];
    }
    return path.substring(1).split("/", -1);
  }
}
