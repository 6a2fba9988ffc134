package dev.pipekeeper.core.assignment;

import dev.pipekeeper.core.membership.Member;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * This process's share of a group's work units: it is a member of the group, contends to be the
 * group's leader (who computes and publishes the assignment), and runs the units assigned to it
 * through its {@link UnitHandler}.
 *
 * <p>Exclusive ownership: a unit is started only after this member created the unit's ephemeral
 * owner node, and the node is deleted only after the unit was stopped, so a unit that moves is
 * stopped by its old owner before the new one starts it. When the connection is SUSPENDED every
 * unit is stopped at once (the node stays, so nobody else starts it until the session is over), and
 * so it is when ZooKeeper has not answered for two thirds of the session timeout (a paused process,
 * see {@link UnitOwnership#isValid()}); after RECONNECTED with the same session the units are
 * started again, after LOST they are acquired anew. When this member dies its units move after its
 * session ends; when it is closed they move at once.
 *
 * <p>Thread-safe.
 */
public interface GroupWorker extends AutoCloseable {

  String group();

  /** This worker's membership of the group. */
  Member member();

  /** The units whose work runs now (started and not stopped), sorted. */
  Set<String> running();

  /** The assignment this worker last saw. */
  Optional<Assignment> assignment();

  /** Whether this worker is the group's leader now (it computes and publishes assignments). */
  boolean isLeader();

  /**
   * Waits until {@link #running()} satisfies {@code condition}.
   *
   * @return whether it did within {@code timeout}
   */
  boolean awaitRunning(Predicate<Set<String>> condition, Duration timeout);

  /**
   * Drains this member: its state becomes DRAINING, the leader moves its units elsewhere, and it
   * stays up. The same as an operator's {@link Assignments#drain(String)} of this member.
   *
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  void drain();

  /**
   * Ends a drain: the member is RUNNING again and gets work at the next rebalance.
   *
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  void undrain();

  /**
   * Leaves the group gracefully: every unit is stopped and its ownership given up, then the member
   * leaves and the leader reassigns at once. Safe to call twice.
   */
  @Override
  void close();
}
