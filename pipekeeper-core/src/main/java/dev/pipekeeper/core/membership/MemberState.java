package dev.pipekeeper.core.membership;

/** The lifecycle of a member, as others see it. */
public enum MemberState {
  /** Joined, not yet ready for work. */
  STARTING,
  /** Ready for work; only RUNNING members are given work. */
  RUNNING,
  /** Up, but its work should move elsewhere (an operator drains it before maintenance). */
  DRAINING,
  /** Leaving: finishing its work. */
  STOPPING
}
