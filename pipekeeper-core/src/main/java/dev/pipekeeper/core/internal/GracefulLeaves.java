package dev.pipekeeper.core.internal;

import dev.pipekeeper.core.ZkLayout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code members-left/GROUP}: one persistent node per group, member id → when it last left
 * gracefully. A closing member writes it (compare-and-set) just before deleting its member node, so
 * whoever sees the node go can tell a graceful leave from a death. Entries older than a day are
 * dropped, and at most {@value #MAX_ENTRIES} kept, so the node stays small.
 */
final class GracefulLeaves {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulLeaves.class);
  static final int MAX_ENTRIES = 1000;
  private static final Duration KEEP = Duration.ofDays(1);
  private static final int ATTEMPTS = 10;

  /** The node's JSON. */
  record Leaves(Map<String, Instant> left) {
    Leaves {
      left = left == null ? Map.of() : Map.copyOf(left);
    }
  }

  private GracefulLeaves() {}

  /** Records that {@code id} leaves {@code group} now; best effort (a failure is logged). */
  static void record(Session session, String group, String id) {
    String path = ZkLayout.membersLeft(group);
    Instant now = Instant.now();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        Stat stat = new Stat();
        Map<String, Instant> left = new TreeMap<>();
        boolean exists = true;
        try {
          left.putAll(read(session.client().getData().storingStatIn(stat).forPath(path)).left());
        } catch (KeeperException.NoNodeException none) {
          exists = false;
        }
        left.put(id, now);
        left.values().removeIf(at -> at.isBefore(now.minus(KEEP)));
        while (left.size() > MAX_ENTRIES) {
          left.entrySet().stream()
              .min(Comparator.comparing(Map.Entry::getValue))
              .ifPresent(oldest -> left.remove(oldest.getKey()));
        }
        byte[] data = Json.write(new Leaves(left));
        if (exists) {
          session.client().setData().withVersion(stat.getVersion()).forPath(path, data);
        } else {
          session.client().create().creatingParentsIfNeeded().forPath(path, data);
        }
        return;
      } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException raced) {
        // another member left at the same time: read again
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        LOG.warn("member {} of group {}: recording its leave failed: {}", id, group, e.toString());
        return;
      }
    }
  }

  /** The group's graceful leaves: member id → when. */
  static Map<String, Instant> of(Session session, String group) {
    try {
      return read(session.client().getData().forPath(ZkLayout.membersLeft(group))).left();
    } catch (KeeperException.NoNodeException none) {
      return Map.of();
    } catch (Exception e) {
      throw session.failure("reading the leaves of group " + group, e);
    }
  }

  private static Leaves read(byte[] data) {
    try {
      return Json.read(data, Leaves.class);
    } catch (IOException malformed) {
      return new Leaves(Map.of()); // overwritten by the next leave
    }
  }
}
