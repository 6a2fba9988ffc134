package dev.pipekeeper.core.leader;

import java.time.Instant;

/**
 * One term of leadership of a role. Its {@link #epoch()} strictly increases with every takeover of
 * the role (it is written with a versioned compare-and-set in {@code epochs/ROLE} before the lease
 * is granted), so a store or a consumer of this leader's output can reject anything from an older
 * epoch.
 *
 * <p>A lease becomes invalid at once when the connection is SUSPENDED (leader-only work must pause)
 * and for good when the session is LOST, the latch is lost after a reconnect, or the leader
 * resigns. Thread-safe.
 */
public interface Lease {

  String role();

  /** The fencing epoch of this term: greater than every earlier term's. */
  long epoch();

  /** The identity of the holder (this client). */
  String holder();

  Instant grantedAt();

  /** The lease's state now; cheap, no ZooKeeper call. */
  LeaseState state();

  /** Whether the lease is GRANTED: leader-only work may proceed. */
  default boolean isValid() {
    return state() == LeaseState.GRANTED;
  }

  /**
   * Asks ZooKeeper whether this epoch is still the role's current one, with a linearizable check (a
   * versioned check operation that goes through the ZooKeeper leader). Use it right before an
   * irreversible step; it costs one round trip.
   *
   * @return false if another term has started, the lease is no longer valid, or ZooKeeper did not
   *     answer
   */
  boolean confirm();

  /** States of a lease. */
  enum LeaseState {
    /** Held: leader-only work may proceed. */
    GRANTED,
    /**
     * The connection is suspended: pause. A suspended lease never becomes GRANTED again: after a
     * reconnect leadership is contested anew and a new term gets a new lease.
     */
    SUSPENDED,
    /** Over for good; a new term, if any, has a new lease and a greater epoch. */
    REVOKED
  }
}
