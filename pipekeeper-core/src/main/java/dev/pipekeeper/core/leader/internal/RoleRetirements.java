package dev.pipekeeper.core.leader.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.RoleRetirement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code roles-retired/ROLE}: a JSON {@link RoleRetirement}, the record that a role ended on
 * purpose. A retirement holds while the role's epoch is still the one it ended at and nobody
 * contends: a contender that comes later is granted a higher epoch, which un-retires the role
 * without anyone deleting the record (so a contender racing a retirement is never hidden by it).
 */
public final class RoleRetirements {
  private static final Logger LOG = LoggerFactory.getLogger(RoleRetirements.class);

  private RoleRetirements() {}

  /**
   * A contender of {@code role} closed gracefully: if no other contender is left, records the
   * role's retirement. Best effort (a failure is logged). The epoch is read before the contenders
   * are listed: a contender that joins after the listing is granted a higher epoch than the one
   * recorded, so the record does not count for it.
   *
   * @param ownNode the name of the closing contender's latch node, which its close may not have
   *     deleted yet
   */
  static void recordIfLast(Session session, String role, String ownNode) {
    try {
      long epoch = Epochs.current(session.client(), role);
      List<String> contenders = new ArrayList<>(session.children(ZkLayout.leaders(role)));
      contenders.remove(ownNode);
      if (epoch == 0 || !contenders.isEmpty()) {
        return;
      }
      RoleRetirement retirement =
          new RoleRetirement(role, epoch, session.identity(), Instant.now(), false, List.of());
      session
          .client()
          .create()
          .orSetData()
          .creatingParentsIfNeeded()
          .forPath(ZkLayout.roleRetired(role), Json.write(retirement));
      LOG.info(
          "role {} retired at epoch {}: its last contender {} closed",
          role,
          epoch,
          session.identity());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("role {}: recording its retirement failed: {}", role, e.toString());
    }
  }

  /**
   * The role's retirement record, if one is stored (whether it still holds is for the caller to
   * judge against the epoch: {@link #holds}); an unreadable record (written by another tool) is
   * logged and counts as none.
   */
  public static Optional<RoleRetirement> of(Session session, String role) {
    try {
      byte[] data = session.client().getData().forPath(ZkLayout.roleRetired(role));
      return Optional.of(Json.read(data, RoleRetirement.class));
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    } catch (IOException unreadable) {
      LOG.debug("skipping unreadable retirement record of role {}", role);
      return Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading the retirement of role " + role, e);
    }
  }

  /** Whether {@code retirement} still holds for a role at {@code epoch} with no contender. */
  public static boolean holds(Optional<RoleRetirement> retirement, long epoch, int contenders) {
    return contenders == 0 && retirement.isPresent() && retirement.get().epoch() >= epoch;
  }

  /** The epoch a role that was retired with its nodes removed ended at (0 if none). */
  static long retiredEpoch(org.apache.curator.framework.CuratorFramework client, String role)
      throws Exception {
    try {
      return Json.read(client.getData().forPath(ZkLayout.roleRetired(role)), RoleRetirement.class)
          .epoch();
    } catch (KeeperException.NoNodeException none) {
      return 0;
    } catch (IOException unreadable) {
      return 0;
    }
  }

  /**
   * Retires {@code role} on an operator's word: records the retirement and removes the role's nodes
   * (its latch folder and its epoch node) in one multi-op, so it no longer lists. Refused while
   * contenders are there unless {@code force} (then their latch nodes go too).
   *
   * @throws InvalidInputException if the role does not exist, or has contenders and not {@code
   *     force}, or a contender came meanwhile
   */
  public static RoleRetirement retire(Session session, String role, boolean force) {
    Names.check("role", role);
    session.awaitConnected(session.connectionTimeout());
    String leaders = ZkLayout.leaders(role);
    String epochPath = ZkLayout.epoch(role);
    try {
      List<String> nodes = session.children(leaders);
      Stat epochStat = session.client().checkExists().forPath(epochPath);
      boolean hasLeaders = session.client().checkExists().forPath(leaders) != null;
      if (epochStat == null && !hasLeaders) {
        throw new InvalidInputException("there is no role " + role);
      }
      List<String> contenders = new ArrayList<>();
      for (String node : nodes) {
        try {
          contenders.add(
              new String(
                  session.client().getData().forPath(leaders + "/" + node),
                  StandardCharsets.UTF_8));
        } catch (KeeperException.NoNodeException gone) {
          // closed meanwhile
        }
      }
      if (!contenders.isEmpty() && !force) {
        throw new InvalidInputException(
            "role "
                + role
                + " has "
                + contenders.size()
                + (contenders.size() == 1 ? " contender" : " contenders")
                + " ("
                + String.join(", ", contenders)
                + "); retire it once they have closed, or with --force (a live contender"
                + " contends again)");
      }
      long epoch =
          epochStat == null
              ? 0
              : Long.parseLong(
                  new String(session.client().getData().forPath(epochPath), StandardCharsets.UTF_8)
                      .trim());
      RoleRetirement retirement =
          new RoleRetirement(
              role,
              Math.max(epoch, retiredEpoch(session.client(), role)),
              session.identity(),
              Instant.now(),
              true,
              force ? contenders : List.of());
      if (session.client().checkExists().forPath(ZkLayout.ROLES_RETIRED) == null) {
        try {
          session.client().create().creatingParentsIfNeeded().forPath(ZkLayout.ROLES_RETIRED);
        } catch (KeeperException.NodeExistsException raced) {
          // another retirement made it first
        }
      }
      List<CuratorOp> ops = new ArrayList<>();
      String record = ZkLayout.roleRetired(role);
      ops.add(
          session.client().checkExists().forPath(record) == null
              ? session.client().transactionOp().create().forPath(record, Json.write(retirement))
              : session.client().transactionOp().setData().forPath(record, Json.write(retirement)));
      for (String node : nodes) {
        ops.add(session.client().transactionOp().delete().forPath(leaders + "/" + node));
      }
      if (hasLeaders) {
        ops.add(session.client().transactionOp().delete().forPath(leaders));
      }
      if (epochStat != null) {
        // versioned: a contender granted meanwhile raised it, and the retirement is refused
        ops.add(
            session
                .client()
                .transactionOp()
                .delete()
                .withVersion(epochStat.getVersion())
                .forPath(epochPath));
      }
      try {
        session.client().transaction().forOperations(ops);
      } catch (KeeperException.NotEmptyException
          | KeeperException.BadVersionException
          | KeeperException.NoNodeException
          | KeeperException.NodeExistsException raced) {
        throw new InvalidInputException(
            "role "
                + role
                + " changed while it was retired (a contender came or went); nothing"
                + " was retired: try again");
      }
      LOG.info(
          "role {} retired at epoch {} by {}{}",
          role,
          retirement.epoch(),
          session.identity(),
          contenders.isEmpty() ? "" : ", removing its contenders " + String.join(", ", contenders));
      return retirement;
    } catch (PipekeeperException e) {
      throw e;
    } catch (NumberFormatException e) {
      throw new PipekeeperException(
          "the epoch node of role " + role + " holds a non-number; nothing was retired", e);
    } catch (Exception e) {
      throw session.failure("retiring role " + role, e);
    }
  }
}
