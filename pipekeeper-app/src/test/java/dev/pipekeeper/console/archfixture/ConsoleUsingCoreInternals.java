package dev.pipekeeper.console.archfixture;

import dev.pipekeeper.core.internal.ZkLayout;

/** A deliberate violation: the console reaching into core's internals. */
public class ConsoleUsingCoreInternals {
  public String path() {
    return ZkLayout.members("g");
  }
}
