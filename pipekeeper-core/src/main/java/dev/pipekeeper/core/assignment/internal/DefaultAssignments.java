package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.AssignmentStatus;
import dev.pipekeeper.core.assignment.Assignments;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.internal.Fencing;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The assignment node, written in a multi-op with a check of the writer's epoch node. */
public final class DefaultAssignments implements Assignments {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultAssignments.class);
  private static final int CAS_ATTEMPTS = 10;

  private final Session session;
  private final String group;
  private final String path;

  public DefaultAssignments(Session session, String group) {
    this.session = session;
    this.group = Names.check("group", group);
    this.path = ZkLayout.assignment(group);
  }

  @Override
  public String group() {
    return group;
  }

  @Override
  public Optional<Assignment> current() {
    return read(new Stat());
  }

  /**
   * The assignment, its node's stat stored in {@code stat}; empty if there is none or it is
   * malformed (written behind Pipekeeper's back: logged, and treated as absent).
   */
  Optional<Assignment> read(Stat stat) {
    try {
      return Optional.of(
          Json.read(
              session.client().getData().storingStatIn(stat).forPath(path), Assignment.class));
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn(
          "assignment of group {} is malformed; treating it as absent: {}", group, e.getMessage());
      return Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading the assignment of " + group, e);
    }
  }

  @Override
  public Assignment publish(Lease lease, Map<String, String> owners) {
    return publish(lease, owners, lease.holder());
  }

  /** Publishes naming {@code leader} (a worker names its member id) as the publisher. */
  Assignment publish(Lease lease, Map<String, String> owners, String leader) {
    Fencing fencing = Fencing.of(lease);
    if (!lease.isValid()) {
      throw new FencedException(
          "lease of "
              + lease.role()
              + " epoch "
              + lease.epoch()
              + " is not valid; nothing was published");
    }
    session.awaitConnected(session.connectionTimeout());
    for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      try {
        Stat stat = new Stat();
        Optional<Assignment> previous = Optional.empty();
        boolean exists = true;
        try {
          previous = readAssignment(session.client().getData().storingStatIn(stat).forPath(path));
        } catch (KeeperException.NoNodeException none) {
          exists = false;
          ensureParent(ZkLayout.ASSIGNMENTS);
        }
        long generation = previous.map(Assignment::generation).orElse(0L) + 1;
        Assignment next = new Assignment(generation, lease.epoch(), leader, owners, Instant.now());
        CuratorOp write =
            exists
                ? fencing
                    .ops()
                    .setData()
                    .withVersion(stat.getVersion())
                    .forPath(path, Json.write(next))
                : fencing.ops().create().forPath(path, Json.write(next));
        // the change, in the same transaction: a member that saw the generation before reads it
        byte[] change = Json.write(AssignmentChange.between(previous, next));
        String changePath = ZkLayout.assignmentChange(group);
        ensureParent(ZkLayout.ASSIGNMENT_CHANGES);
        CuratorOp writeChange =
            session.client().checkExists().forPath(changePath) != null
                ? fencing.ops().setData().forPath(changePath, change)
                : fencing.ops().create().forPath(changePath, change);
        try {
          fencing.commit(
              List.of(write, writeChange),
              () ->
                  "lease of "
                      + lease.role()
                      + " epoch "
                      + lease.epoch()
                      + " is no longer the current term; the assignment of "
                      + group
                      + " was not published");
        } catch (KeeperException e) {
          continue; // another publication came between: read again
        }
        LOG.debug(
            "assignment of group {} generation {} published by {} (epoch {}), {} units",
            group,
            generation,
            leader,
            lease.epoch(),
            owners.size());
        return next;
      } catch (FencedException e) {
        throw e;
      } catch (Exception e) {
        throw session.failure("publishing the assignment of " + group, e);
      }
    }
    throw new PipekeeperException("the assignment of " + group + " kept changing; try again");
  }

  @Override
  public void drain(String memberId) {
    String path = ZkLayout.drain(group, memberId);
    session.awaitConnected(session.connectionTimeout());
    try {
      session
          .client()
          .create()
          .orSetData()
          .creatingParentContainersIfNeeded()
          .forPath(path, Json.write(new DrainRecord(session.identity(), Instant.now())));
      LOG.info("member {} of group {} drained by {}", memberId, group, session.identity());
    } catch (Exception e) {
      throw session.failure("draining member " + memberId + " of " + group, e);
    }
  }

  @Override
  public void undrain(String memberId) {
    String path = ZkLayout.drain(group, memberId);
    session.awaitConnected(session.connectionTimeout());
    try {
      session.client().delete().forPath(path);
      LOG.info("member {} of group {} undrained by {}", memberId, group, session.identity());
    } catch (KeeperException.NoNodeException none) {
      throw new InvalidInputException(
          "member " + memberId + " of group " + group + " is not drained");
    } catch (Exception e) {
      throw session.failure("undraining member " + memberId + " of " + group, e);
    }
  }

  @Override
  public Set<String> drained() {
    return new TreeSet<>(session.children(ZkLayout.drains(group)));
  }

  @Override
  public AssignmentStatus status() {
    Optional<Assignment> assignment = current();
    // nodes made behind Pipekeeper's back (zkCli) with names no unit can have are left out
    List<String> units =
        session.children(ZkLayout.units(group)).stream().filter(Names::isValid).sorted().toList();
    Map<String, String> owners = new TreeMap<>();
    for (String unit : session.children(ZkLayout.owners(group))) {
      if (!Names.isValid(unit)) {
        LOG.warn(
            "skipping node {} under the owners of group {}: not a work unit name",
            Names.quote(unit),
            group);
        continue;
      }
      try {
        byte[] data = session.client().getData().forPath(ZkLayout.owner(group, unit));
        OwnerRecord owner = Json.read(data, OwnerRecord.class);
        if (owner == null || owner.member() == null) {
          // JSON null, or an object without a member: written behind Pipekeeper's back
          LOG.warn("skipping owner node of unit {} in group {}: it names no member", unit, group);
          continue;
        }
        owners.put(unit, owner.member());
      } catch (KeeperException.NoNodeException gone) {
        // released between the listing and the read
      } catch (IOException malformed) {
        LOG.warn("skipping malformed owner node of unit {} in group {}", unit, group);
      } catch (Exception e) {
        throw session.failure("reading the owners of " + group, e);
      }
    }
    return new AssignmentStatus(group, assignment, units, owners, drained());
  }

  /** What a drain node holds: who drained the member, and when. */
  record DrainRecord(String by, Instant at) {}

  /** The assignment {@code data} holds; empty (the next generation starts over) if malformed. */
  private Optional<Assignment> readAssignment(byte[] data) {
    try {
      return Optional.ofNullable(Json.read(data, Assignment.class));
    } catch (IOException e) {
      LOG.warn("assignment of group {} is malformed; the next generation starts over", group);
      return Optional.empty();
    }
  }

  private void ensureParent(String folder) throws Exception {
    if (session.client().checkExists().forPath(folder) == null) {
      try {
        session.client().create().creatingParentsIfNeeded().forPath(folder);
      } catch (KeeperException.NodeExistsException raced) {
        // another publisher made it first
      }
    }
  }
}
