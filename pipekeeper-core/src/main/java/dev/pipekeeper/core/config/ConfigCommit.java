package dev.pipekeeper.core.config;

import java.util.List;

/**
 * A change written: one ZooKeeper multi-op.
 *
 * @param scope the scope changed
 * @param scopeVersion the scope's version after the change (the version of its commit node)
 * @param keys the keys changed
 */
public record ConfigCommit(Scope scope, int scopeVersion, List<String> keys) {
  public ConfigCommit {
    keys = List.copyOf(keys);
  }
}
