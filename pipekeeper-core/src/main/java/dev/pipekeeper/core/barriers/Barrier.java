package dev.pipekeeper.core.barriers;

import java.time.Duration;

/**
 * A double barrier on Curator's {@code DistributedDoubleBarrier}: {@code members} participants
 * enter together, do a coordinated step, and leave together. Use one instance per participant and
 * step.
 */
public interface Barrier {

  String name();

  /**
   * Enters and waits until all members have entered.
   *
   * @return whether they all did within {@code timeout}; if not, this participant has left
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper was not reachable
   */
  boolean enter(Duration timeout);

  /**
   * Leaves and waits until all members have left.
   *
   * @return whether they all did within {@code timeout}
   * @throws IllegalStateException if this instance did not {@link #enter(Duration)} first
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper was not reachable
   */
  boolean leave(Duration timeout);
}
