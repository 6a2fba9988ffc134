package dev.pipekeeper.core.assignment;

/**
 * This member's ownership of one work unit: it holds the ephemeral node {@code owners/GROUP/UNIT},
 * and no other member can run the unit until that node is gone.
 *
 * <p>{@link #isValid()} turns false the moment the ownership must not be acted on any more: stop
 * was requested, the connection to ZooKeeper is suspended, or ZooKeeper has not answered this
 * member for two thirds of the session timeout (the process was paused, say), so the node may
 * expire any moment and another member take over. A paused process therefore finds its ownerships
 * invalid the instant it runs again, before its ZooKeeper client notices anything. Work that writes
 * somewhere should check it, and pass {@link #token()} to stores that can reject writes of an older
 * owner. Thread-safe.
 */
public interface UnitOwnership {

  String group();

  /** The unit's name. */
  String unit();

  /**
   * The fencing token of this ownership: the owner node's creation zxid, greater for every later
   * ownership of the same unit, so a store can refuse writes carrying an older token.
   */
  long token();

  /** The assignment generation under which this ownership was taken. */
  long generation();

  /** Whether the unit's work may proceed now; cheap, no ZooKeeper call. */
  boolean isValid();
}
