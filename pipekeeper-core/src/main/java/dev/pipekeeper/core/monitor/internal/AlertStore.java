package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.internal.Fencing;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts in ZooKeeper: {@code alerts/active/KEY} (one node per live alert), {@code
 * alerts/history/h-SEQ} (FIRING and RESOLVED transitions, capped, oldest pruned) and {@code
 * alerts/roster/GROUP}. The monitor writes them in multi-ops that begin with a check of its epoch
 * node, so a deposed monitor's write is refused inside ZooKeeper.
 */
final class AlertStore {
  private static final Logger LOG = LoggerFactory.getLogger(AlertStore.class);

  /** Operations per multi-op besides the epoch check: far below ZooKeeper's request size limit. */
  private static final int OPS_PER_WRITE = 100;

  private final Session session;
  private final Set<String> stored = new HashSet<>();
  private int historySize;
  private long reads;

  AlertStore(Session session) {
    this.session = session;
  }

  /** ZooKeeper reads this store made. */
  long reads() {
    return reads;
  }

  /** The active alerts, by key; malformed nodes are skipped with a log line. */
  static Map<String, Alert> readActive(Session session) {
    Map<String, Alert> alerts = new TreeMap<>();
    for (String node : session.children(ZkLayout.ALERTS_ACTIVE)) {
      read(session, ZkLayout.ALERTS_ACTIVE + "/" + node).ifPresent(a -> alerts.put(a.key(), a));
    }
    return alerts;
  }

  /** The recorded transitions, oldest first; at most {@code limit} of the newest. */
  static List<Alert> readHistory(Session session, int limit) {
    List<String> nodes = new ArrayList<>(session.children(ZkLayout.ALERTS_HISTORY));
    nodes.sort(null); // h-0000000042: the sequence sorts as text
    List<Alert> history = new ArrayList<>();
    for (String node : nodes.subList(Math.max(0, nodes.size() - limit), nodes.size())) {
      read(session, ZkLayout.ALERTS_HISTORY + "/" + node).ifPresent(history::add);
    }
    return history;
  }

  private static java.util.Optional<Alert> read(Session session, String path) {
    try {
      return java.util.Optional.of(AlertCodec.fromJson(session.client().getData().forPath(path)));
    } catch (KeeperException.NoNodeException gone) {
      return java.util.Optional.empty();
    } catch (dev.pipekeeper.core.InvalidInputException malformed) {
      LOG.warn("skipping malformed alert node {}: {}", path, malformed.getMessage());
      return java.util.Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading " + path, e);
    }
  }

  /** Loads what a new term starts from, creating the folders if this is the first monitor. */
  Map<String, Alert> takeOver() {
    for (String folder :
        List.of(ZkLayout.ALERTS_ACTIVE, ZkLayout.ALERTS_HISTORY, ZkLayout.ALERTS_ROSTER)) {
      try {
        session.client().create().creatingParentsIfNeeded().forPath(folder);
      } catch (KeeperException.NodeExistsException exists) {
        // made by an earlier monitor
      } catch (Exception e) {
        throw session.failure("creating " + folder, e);
      }
    }
    Map<String, Alert> active = readActive(session);
    stored.clear();
    stored.addAll(active.keySet());
    historySize = session.children(ZkLayout.ALERTS_HISTORY).size();
    reads += 5 + active.size();
    return active;
  }

  /** The rosters a previous monitor stored, by group. */
  Map<String, Rosters.Roster> rosters() {
    Map<String, Rosters.Roster> rosters = new TreeMap<>();
    for (String group : session.children(ZkLayout.ALERTS_ROSTER)) {
      try {
        byte[] data = session.client().getData().forPath(ZkLayout.alertRoster(group));
        reads++;
        rosters.put(group, Json.read(data, Rosters.Roster.class));
      } catch (KeeperException.NoNodeException gone) {
        // removed meanwhile
      } catch (IOException malformed) {
        LOG.warn("skipping the malformed roster of group {}: {}", group, malformed.getMessage());
      } catch (Exception e) {
        throw session.failure("reading the roster of " + group, e);
      }
    }
    return rosters;
  }

  /**
   * Writes one evaluation's changes under {@code lease}.
   *
   * @throws FencedException if another monitor term has begun (nothing of that batch was written)
   */
  void write(
      Fencing fencing,
      Collection<Alert> written,
      Collection<String> removed,
      Collection<Alert> transitions,
      Map<String, Rosters.Roster> rosters,
      int historyLimit)
      throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    Set<String> created = new HashSet<>();
    for (Alert a : written) {
      String path = ZkLayout.alertActive(a.key());
      if (stored.contains(a.key()) || created.contains(a.key())) {
        ops.add(session.client().transactionOp().setData().forPath(path, AlertCodec.toJson(a)));
      } else {
        ops.add(session.client().transactionOp().create().forPath(path, AlertCodec.toJson(a)));
        created.add(a.key());
      }
    }
    for (String key : removed) {
      if (stored.contains(key)) {
        ops.add(session.client().transactionOp().delete().forPath(ZkLayout.alertActive(key)));
      }
    }
    for (Alert t : transitions) {
      ops.add(
          session
              .client()
              .transactionOp()
              .create()
              .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
              .forPath(ZkLayout.alertHistoryEntry(), AlertCodec.toJson(t)));
    }
    for (Map.Entry<String, Rosters.Roster> r : rosters.entrySet()) {
      String path = ZkLayout.alertRoster(r.getKey());
      boolean exists = session.client().checkExists().forPath(path) != null;
      reads++;
      ops.add(
          exists
              ? session.client().transactionOp().setData().forPath(path, Json.write(r.getValue()))
              : session.client().transactionOp().create().forPath(path, Json.write(r.getValue())));
    }
    commit(fencing, ops);
    stored.addAll(created);
    stored.removeAll(removed);
    historySize += transitions.size();
    if (historySize > historyLimit) {
      prune(fencing, historyLimit);
    }
  }

  private void prune(Fencing fencing, int historyLimit) throws Exception {
    List<String> nodes = new ArrayList<>(session.children(ZkLayout.ALERTS_HISTORY));
    reads++;
    nodes.sort(null);
    List<CuratorOp> ops = new ArrayList<>();
    for (String node : nodes.subList(0, Math.max(0, nodes.size() - historyLimit))) {
      ops.add(
          session.client().transactionOp().delete().forPath(ZkLayout.ALERTS_HISTORY + "/" + node));
    }
    commit(fencing, ops);
    historySize = Math.min(nodes.size(), historyLimit);
  }

  private void commit(Fencing fencing, List<CuratorOp> ops) throws Exception {
    for (int from = 0; from < ops.size(); from += OPS_PER_WRITE) {
      fencing.commit(
          ops.subList(from, Math.min(ops.size(), from + OPS_PER_WRITE)),
          () ->
              "monitor epoch "
                  + fencing.lease().epoch()
                  + " is no longer current; its alerts were not written");
    }
  }
}
