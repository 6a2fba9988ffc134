package dev.pipekeeper.core.assignment;

import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Lease;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
   * @throws IllegalArgumentException if {@code lease} was not granted by a Pipekeeper {@code
   *     Leadership}
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  Assignment publish(Lease lease, Map<String, String> owners);

  /**
   * Drains a member: it turns DRAINING, the leader moves its units elsewhere, and it stays up. The
   * drain is kept in {@code drains/GROUP/MEMBER} until {@link #undrain(String) undrained}, also
   * across restarts of a member with a fixed id. Draining an absent member is allowed (it takes
   * effect when it joins).
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the member id is not valid
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  void drain(String memberId);

  /**
   * Ends a drain; the member gets work again at the next rebalance.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the member is not drained
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  void undrain(String memberId);

  /** The drained members, sorted. */
  Set<String> drained();

  /**
   * The assignment, the actual owners and the drains, read now.
   *
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  AssignmentStatus status();
}
