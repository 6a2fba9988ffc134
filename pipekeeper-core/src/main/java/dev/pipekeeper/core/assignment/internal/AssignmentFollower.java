package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.io.IOException;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A member's view of its group's assignment, read at the cost of what changed. The leader writes
 * each generation's {@link AssignmentChange} in the same transaction as the assignment, so both
 * nodes carry the same modification zxid. A member that holds the generation before applies the
 * change (a few entries) rather than reading every unit of the group again; otherwise (its first
 * read, a generation missed, a node written behind Pipekeeper's back, a publisher that writes no
 * change) it reads the whole assignment. With the same generation it reads nothing but the node's
 * stat. Used by one thread, the worker's control thread.
 */
final class AssignmentFollower {
  private final Session session;
  private final String group;
  private final DefaultAssignments assignments;
  private final String path;
  private final String changePath;
  private Assignment seen;
  private long seenZxid = -1;
  private long wholeReads;

  AssignmentFollower(Session session, String group, DefaultAssignments assignments) {
    this.session = session;
    this.group = group;
    this.assignments = assignments;
    this.path = ZkLayout.assignment(group);
    this.changePath = ZkLayout.assignmentChange(group);
  }

  /** The current assignment, or empty if none is published (or it is unreadable). */
  Optional<Assignment> current() {
    Stat now;
    try {
      now = session.client().checkExists().forPath(path);
    } catch (Exception e) {
      throw session.failure("reading the assignment of " + group, e);
    }
    if (now == null) {
      forget();
      return Optional.empty();
    }
    if (seen != null && now.getMzxid() == seenZxid) {
      return Optional.of(seen);
    }
    Optional<Assignment> changed = seen == null ? Optional.empty() : viaChange(now.getMzxid());
    if (changed.isPresent()) {
      seen = changed.get();
      seenZxid = now.getMzxid();
      return changed;
    }
    Stat stat = new Stat();
    Optional<Assignment> whole = assignments.read(stat);
    wholeReads++;
    if (whole.isPresent()) {
      seen = whole.get();
      seenZxid = stat.getMzxid();
    } else {
      forget();
    }
    return whole;
  }

  /** How many times the whole assignment was read (for tests). */
  long wholeReads() {
    return wholeReads;
  }

  /** The assignment the change written with the generation of {@code zxid} leads to, if any. */
  private Optional<Assignment> viaChange(long zxid) {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = session.client().getData().storingStatIn(stat).forPath(changePath);
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty(); // a publisher that writes no change
    } catch (Exception e) {
      throw session.failure("reading the assignment change of " + group, e);
    }
    if (stat.getMzxid() != zxid) {
      return Optional.empty(); // not written with this generation
    }
    try {
      AssignmentChange change = Json.read(data, AssignmentChange.class);
      return change == null ? Optional.empty() : change.applyTo(seen);
    } catch (IOException malformed) {
      return Optional.empty(); // written behind Pipekeeper's back: the whole node tells
    }
  }

  private void forget() {
    seen = null;
    seenZxid = -1;
  }
}
