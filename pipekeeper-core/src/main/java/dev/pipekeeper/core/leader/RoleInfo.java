package dev.pipekeeper.core.leader;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A role's election as ZooKeeper holds it.
 *
 * @param role the role
 * @param leader the identity of the contender that leads, if any
 * @param leaderSince when the leader's latch node was created
 * @param epoch the role's current fencing epoch (0 if never led)
 * @param contenders identities of all contenders, the leader first
 * @param retiredAt when the role retired, if it is retired (its last contender closed gracefully at
 *     this epoch, and nobody contends since)
 * @param problem what is wrong with the role's nodes, if something is: its epoch node holds no
 *     number (written behind Pipekeeper's back), so {@code epoch} is 0 and unknown, and no
 *     contender can lead it until the node is repaired
 */
public record RoleInfo(
    String role,
    Optional<String> leader,
    Optional<Instant> leaderSince,
    long epoch,
    List<String> contenders,
    Optional<Instant> retiredAt,
    Optional<String> problem) {

  public RoleInfo {
    contenders = List.copyOf(contenders);
    retiredAt = retiredAt == null ? Optional.empty() : retiredAt;
    problem = problem == null ? Optional.empty() : problem;
  }

  /** A role whose nodes read well. */
  public RoleInfo(
      String role,
      Optional<String> leader,
      Optional<Instant> leaderSince,
      long epoch,
      List<String> contenders,
      Optional<Instant> retiredAt) {
    this(role, leader, leaderSince, epoch, contenders, retiredAt, Optional.empty());
  }

  /** A role that is not retired. */
  public RoleInfo(
      String role,
      Optional<String> leader,
      Optional<Instant> leaderSince,
      long epoch,
      List<String> contenders) {
    this(role, leader, leaderSince, epoch, contenders, Optional.empty(), Optional.empty());
  }
}
