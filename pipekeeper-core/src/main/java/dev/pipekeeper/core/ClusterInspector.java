package dev.pipekeeper.core;

import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.locks.LockInfo;
import dev.pipekeeper.core.membership.MemberListing;
import dev.pipekeeper.core.membership.MemberRecord;
import java.util.List;

/**
 * Read-only views of what a cluster holds in ZooKeeper, read once per call: for operators, the CLI
 * and the dashboard. Malformed nodes written by other tools are skipped, not fatal.
 *
 * <p>Every method throws {@link UnreachableException} if ZooKeeper does not answer in time.
 */
public interface ClusterInspector {

  /** Groups that have or had members, sorted. */
  List<String> groups();

  /** The members of a group, sorted by id. */
  List<MemberRecord> members(String group);

  /**
   * The members of a group, and the member nodes that are no member record (written behind
   * Pipekeeper's back), each with the reason it was kept out.
   */
  MemberListing memberListing(String group);

  /** Groups that have work units or a published assignment, sorted. */
  List<String> workGroups();

  /** Every role with contenders or an epoch, sorted by role. */
  List<RoleInfo> roles();

  /** Every mutex, read/write lock and semaphore with participants, sorted by name. */
  List<LockInfo> locks();
}
