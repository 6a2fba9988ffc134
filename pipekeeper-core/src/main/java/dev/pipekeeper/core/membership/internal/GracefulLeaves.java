package dev.pipekeeper.core.membership.internal;

import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code members-left/GROUP/ID@MILLIS}: one empty persistent node per graceful leave, named by the
 * member and when it left. A closing member creates it just before deleting its member node, so
 * whoever sees the node go can tell a graceful leave from a death. One create per leave, so a whole
 * deployment stopping at once records every leave (one node shared by the group, written with
 * compare-and-set, lost leaves under that contention). Each leave then drops the member's earlier
 * entries, entries older than a day and, past {@value #MAX_ENTRIES}, the oldest; a reader needs one
 * {@code getChildren}.
 */
public final class GracefulLeaves {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulLeaves.class);
  static final int MAX_ENTRIES = 1000;
  private static final Duration KEEP = Duration.ofDays(1);

  /** Between the member id and the time in an entry's name; member ids never contain it. */
  private static final char SEPARATOR = '@';

  private GracefulLeaves() {}

  /** Records that {@code id} leaves {@code group} now; best effort (a failure is logged). */
  static void record(Session session, String group, String id) {
    String folder = ZkLayout.membersLeft(group);
    Instant now = Instant.now();
    String name = id + SEPARATOR + now.toEpochMilli();
    try {
      try {
        session.client().create().creatingParentsIfNeeded().forPath(folder + "/" + name);
      } catch (KeeperException.NodeExistsException sameMillisecond) {
        // already recorded
      }
      prune(session, folder, id, name, now);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("member {} of group {}: recording its leave failed: {}", id, group, e.toString());
    }
  }

  /** One leave: a member id and when. */
  private record Entry(String name, String id, Instant at) {}

  /** Deletes what this leave ({@code own}) supersedes, and what is too old or too many. */
  private static void prune(Session session, String folder, String id, String own, Instant now)
      throws Exception {
    List<Entry> entries = new ArrayList<>(entries(session.client().getChildren().forPath(folder)));
    entries.sort(Comparator.comparing(Entry::at));
    int kept = entries.size();
    for (Entry entry : entries) { // oldest first
      boolean superseded = entry.id().equals(id) && !entry.name().equals(own);
      if (superseded || entry.at().isBefore(now.minus(KEEP)) || kept > MAX_ENTRIES) {
        kept--;
        try {
          session.client().delete().forPath(folder + "/" + entry.name());
        } catch (KeeperException.NoNodeException prunedMeanwhile) {
          // another leaving member pruned it first
        }
      }
    }
  }

  /** The group's graceful leaves: member id → when it last left. */
  public static Map<String, Instant> of(Session session, String group) {
    try {
      Map<String, Instant> left = new TreeMap<>();
      for (Entry entry :
          entries(session.client().getChildren().forPath(ZkLayout.membersLeft(group)))) {
        left.merge(entry.id(), entry.at(), (a, b) -> a.isAfter(b) ? a : b);
      }
      return left;
    } catch (KeeperException.NoNodeException none) {
      return Map.of();
    } catch (Exception e) {
      throw session.failure("reading the leaves of group " + group, e);
    }
  }

  /** The entries among {@code names}; names that are not entries are skipped. */
  private static List<Entry> entries(List<String> names) {
    List<Entry> entries = new ArrayList<>();
    for (String name : names) {
      int at = name.lastIndexOf(SEPARATOR);
      if (at <= 0) {
        continue;
      }
      try {
        entries.add(
            new Entry(
                name,
                name.substring(0, at),
                Instant.ofEpochMilli(Long.parseLong(name.substring(at + 1)))));
      } catch (NumberFormatException notAnEntry) {
        // not written by Pipekeeper
      }
    }
    return entries;
  }
}
