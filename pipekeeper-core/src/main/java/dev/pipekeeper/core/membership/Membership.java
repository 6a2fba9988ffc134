package dev.pipekeeper.core.membership;

import java.util.List;

/** Group membership: join groups, and see who is in them. */
public interface Membership {

  /**
   * Joins {@code group}; returns once the member node exists.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the group name or member id is invalid, or
   *     a live member already uses that id
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
