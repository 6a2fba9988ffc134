package dev.pipekeeper.core.leader;

/**
 * Leadership events of one {@link Leadership}, called on its own thread (never on Curator's event
 * thread), one at a time and in order: granted, then suspended and/or revoked, then perhaps a new
 * grant with a greater epoch. An exception is logged and does not stop later calls.
 */
public interface LeaseListener {

  /** This contender became leader; leader-only work may start. */
  default void granted(Lease lease) {}

  /** The connection is suspended: leader-only work must pause now. */
  default void suspended(Lease lease) {}

  /** The term is over: leader-only work must stop; it must not write anything more. */
  default void revoked(Lease lease) {}
}
