package dev.pipekeeper.core.assignment;

import dev.pipekeeper.core.coordination.Lease;
import java.util.Map;
import java.util.Optional;

/**
 * A group's published assignment in {@code assignments/GROUP}, written by the group's leader only:
 * every publication is fenced by the leader's lease, in the same multi-op as a check that the
 * lease's epoch is still the role's current one, so a deposed leader can never overwrite its
 * successor's plan. Thread-safe.
 */
public interface Assignments {

  String group();

  /** The assignment as last published, if any. */
  Optional<Assignment> current();

  /**
   * Publishes {@code owners} as the next generation.
   *
   * @throws FencedException if {@code lease} is no longer valid or its epoch no longer current
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  Assignment publish(Lease lease, Map<String, String> owners);
}
