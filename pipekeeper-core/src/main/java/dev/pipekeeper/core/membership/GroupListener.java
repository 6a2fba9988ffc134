package dev.pipekeeper.core.membership;

/**
 * Changes of a group as a {@link GroupView} sees them. Called on the view's own thread, one call at
 * a time, in the order ZooKeeper reported the changes; an exception is logged and does not stop
 * later calls.
 */
public interface GroupListener {

  default void memberJoined(MemberRecord member) {}

  default void memberLeft(MemberRecord member) {}

  default void memberUpdated(MemberRecord before, MemberRecord after) {}
}
