package dev.pipekeeper.core.membership;

/**
 * This process's membership of a group: an ephemeral node that ZooKeeper removes when the session
 * ends and Pipekeeper recreates, exactly once, after a new session is established.
 *
 * <p>Thread-safe. {@link #close()} leaves the group at once.
 */
public interface Member extends AutoCloseable {

  String id();

  String group();

  /** What this member last wrote about itself. */
  MemberRecord record();

  /**
   * Changes the state others see. The change is written in the background when the connection is
   * down, and survives session loss.
   */
  void setState(MemberState state);

  /** Whether the member's node currently exists in ZooKeeper (false while it is re-registering). */
  boolean isRegistered();

  /** Leaves the group: the node is deleted. Safe to call twice. */
  @Override
  void close();
}
