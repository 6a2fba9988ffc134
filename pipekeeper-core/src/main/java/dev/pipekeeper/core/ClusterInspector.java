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

  /**
   * Watches the cluster's whole tree and tells {@code listener} what changed, area by area:
   * members, leaders (contenders, epochs), assignments (generations, owners, drains, units), health
   * records, live alerts, configuration commits and members' applied versions ({@link
   * ClusterChange.Area}). It is one persistent recursive ZooKeeper watch (Curator's {@code
   * PersistentWatcher}): nothing is polled, read or cached; the listener reads what it shows again
   * when told. Changes that come while the listener is busy are merged, so a burst costs one call
   * per area and name. After a reconnect the watch is set again by itself and {@link
   * ClusterListener#watching()} is called: what changed while ZooKeeper was away is not told one by
   * one. It does not wait for the watch to be in place ({@code watching()} says when); it works
   * with ZooKeeper away (it is set once ZooKeeper is back). Closed with the connection.
   *
   * @throws IllegalStateException if the connection is closed
   */
  ClusterWatch watch(ClusterListener listener);
}
