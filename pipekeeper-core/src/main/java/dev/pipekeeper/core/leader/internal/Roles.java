package dev.pipekeeper.core.leader.internal;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.RoleRetirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The roles as ZooKeeper holds them: every role with a latch folder ({@code leaders/ROLE}) or an
 * epoch node ({@code epochs/ROLE}), the one listing the inspector and the monitor read.
 */
public final class Roles {
  private Roles() {}

  /**
   * A role: its current epoch (0 if it never had a leader) and the names of its contenders' latch
   * nodes, as listed (unsorted).
   */
  public record Role(String name, long epoch, List<String> contenders, Optional<String> problem) {
    /** A role whose epoch was read. */
    public Role(String name, long epoch, List<String> contenders) {
      this(name, epoch, contenders, Optional.empty());
    }
  }

  /**
   * The roles, sorted by name. Costs two listings, then per role a read of its epoch and a listing
   * of its latch folder.
   */
  public static List<Role> list(Session session) {
    TreeSet<String> names = new TreeSet<>(session.children(ZkLayout.LEADERS));
    names.addAll(session.children(ZkLayout.EPOCHS));
    // a node made behind Pipekeeper's back (zkCli) with a name no role can have is no role, and
    // no reason to hide the others
    names.removeIf(name -> !Names.isValid(name));
    List<Role> roles = new ArrayList<>();
    for (String name : names) {
      long epoch = 0;
      Optional<String> problem = Optional.empty();
      try {
        epoch = Epochs.current(session.client(), name);
      } catch (Epochs.Unreadable garbage) {
        // written behind Pipekeeper's back: this role is listed with the problem, the others
        // as they are; leading it again is refused until the node is repaired (Epochs.next)
        problem = Optional.of(garbage.getMessage());
      } catch (Exception e) {
        throw session.failure("reading the epoch of " + name, e);
      }
      roles.add(new Role(name, epoch, session.children(ZkLayout.leaders(name)), problem));
    }
    return roles;
  }

  /**
   * The retirement of {@code role} if it still holds (see {@link RoleRetirements#holds}); one read,
   * none when the role has contenders.
   */
  public static Optional<RoleRetirement> retirement(Session session, Role role) {
    if (!role.contenders().isEmpty() || role.problem().isPresent()) {
      return Optional.empty();
    }
    Optional<RoleRetirement> retirement = RoleRetirements.of(session, role.name());
    return RoleRetirements.holds(retirement, role.epoch(), 0) ? retirement : Optional.empty();
  }
}
