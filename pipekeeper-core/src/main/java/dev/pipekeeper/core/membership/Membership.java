package dev.pipekeeper.core.membership;

import java.util.List;

/** Group membership: join groups, and see who is in them. */
public interface Membership {

  /**
   * Joins {@code group}; returns once the member node exists. When another session holds the member
   * id (a member restarted with a fixed id right after its process died finds its predecessor's
   * node until that session expires), it first waits, up to one and a half times this connection's
   * session timeout, for that node to go.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the group name or member id is invalid, or
   *     a live member still uses that id after that wait
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  Member join(String group, MemberInfo info);

  /**
   * A live view of {@code group}; returns once the current members are loaded.
   *
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  GroupView watch(String group);

  /** The members of {@code group} now, read once. */
  List<MemberRecord> members(String group);

  /** The groups that have or had members. */
  List<String> groups();
}
