package dev.pipekeeper.core;

import dev.pipekeeper.core.internal.ZkLayout;
import java.util.Optional;

/**
 * What a ZooKeeper path of a Pipekeeper cluster is: the inverse of the one class that builds every
 * path ({@code ZkLayout}, whose constants this reads), for tools that see the tree from outside
 * (the audit decoder of pipekeeper-connect reads a change stream of {@code /pipekeeper/CLUSTER}).
 * Paths of other shapes, including nodes written behind Pipekeeper's back, are {@link Kind#OTHER}.
 *
 * @param kind what the node is
 * @param name the group, role, lock or config scope ({@code global}, {@code pipeline/NAME}, {@code
 *     member/ID}) it belongs to; empty where none applies
 * @param item the member id, config key, or child node name below {@code name}; empty where none
 * @param child the last element of a config history entry's path ({@code v-NNNNNNNNNN}); else empty
 */
public record ClusterPath(Kind kind, String name, String item, String child) {

  /** The kinds of node the audit stream decodes; the rest are {@link #OTHER}. */
  public enum Kind {
    /** {@code members/GROUP/MEMBER}: a live member (ephemeral). */
    MEMBER,
    /** {@code members-left/GROUP/ID@MILLIS}: member ID left gracefully. */
    MEMBER_LEFT,
    /**
     * {@code leaders/ROLE/NODE}: a contender's latch node; its data is the contender's identity.
     */
    LEADER_CONTENDER,
    /** {@code epochs/ROLE}: the role's fencing epoch, raised before every grant. */
    EPOCH,
    /** {@code locks/NAME/NODE}: a mutex or read/write lock node; its czxid is the token. */
    LOCK_NODE,
    /** {@code assignments/GROUP}: the group's published assignment. */
    ASSIGNMENT,
    /** {@code config-history/SCOPE/KEY/v-N}: one recorded config change. */
    CONFIG_HISTORY_ENTRY,
    /** {@code config-schema/SCOPE/KEY}: a key's JSON Schema. */
    CONFIG_SCHEMA,
    /** {@code config-secret/KEY}: the key is secret in every scope. */
    CONFIG_SECRET,
    /** {@code alerts/history/h-N}: an alert transition (FIRING or RESOLVED). */
    ALERT_TRANSITION,
    /** Anything else, the cluster's root included. */
    OTHER
  }

  /** The absolute root of a cluster's data, {@code /pipekeeper/CLUSTER}. */
  public static String root(String cluster) {
    return ZkLayout.root(cluster);
  }

  /**
   * What {@code path} (absolute, as ZooKeeper names it) is in {@code cluster}; empty if it is not
   * under the cluster's root.
   */
  public static Optional<ClusterPath> parse(String cluster, String path) {
    String root = root(cluster);
    if (!path.startsWith(root + "/")) {
      return path.equals(root) ? Optional.of(other()) : Optional.empty();
    }
    String relative = path.substring(root.length());
    String[] parts = relative.substring(1).split("/", -1);
    String top = "/" + parts[0];
    int n = parts.length;
    ClusterPath parsed = other();
    if (top.equals(ZkLayout.MEMBERS) && n == 3) {
      parsed = of(Kind.MEMBER, parts[1], parts[2]);
    } else if (top.equals(ZkLayout.MEMBERS_LEFT) && n == 3) {
      parsed = of(Kind.MEMBER_LEFT, parts[1], parts[2]);
    } else if (top.equals(ZkLayout.LEADERS) && n == 3) {
      parsed = of(Kind.LEADER_CONTENDER, parts[1], parts[2]);
    } else if (top.equals(ZkLayout.EPOCHS) && n == 2) {
      parsed = of(Kind.EPOCH, parts[1], "");
    } else if (top.equals(ZkLayout.LOCKS) && n == 3) {
      parsed = of(Kind.LOCK_NODE, parts[1], parts[2]);
    } else if (top.equals(ZkLayout.ASSIGNMENTS) && n == 2) {
      parsed = of(Kind.ASSIGNMENT, parts[1], "");
    } else if (top.equals(ZkLayout.CONFIG_SECRET) && n == 2) {
      parsed = of(Kind.CONFIG_SECRET, "", parts[1]);
    } else if (top.equals(ZkLayout.CONFIG_HISTORY) && scoped(parts, 2)) {
      String last = parts[n - 1];
      if (last.startsWith(ZkLayout.CONFIG_HISTORY_PREFIX)) {
        parsed = new ClusterPath(Kind.CONFIG_HISTORY_ENTRY, scope(parts), parts[n - 2], last);
      }
    } else if (top.equals(ZkLayout.CONFIG_SCHEMA) && scoped(parts, 1)) {
      parsed = of(Kind.CONFIG_SCHEMA, scope(parts), parts[n - 1]);
    } else if (relative.startsWith(ZkLayout.ALERTS_HISTORY + "/")
        && n == 3
        && parts[2].startsWith(ZkLayout.ALERT_HISTORY_PREFIX)) {
      parsed = of(Kind.ALERT_TRANSITION, "", parts[2]);
    }
    return Optional.of(parsed);
  }

  private static ClusterPath of(Kind kind, String name, String item) {
    return new ClusterPath(kind, name, item, "");
  }

  private static ClusterPath other() {
    return new ClusterPath(Kind.OTHER, "", "", "");
  }

  /**
   * Whether {@code parts} are TOP, a scope ({@code global}: one element; {@code pipeline/NAME} or
   * {@code member/ID}: two), then exactly {@code after} more elements.
   */
  private static boolean scoped(String[] parts, int after) {
    if (parts.length < 2) {
      return false;
    }
    int scopeLength = parts[1].equals("global") ? 1 : 2;
    if (scopeLength == 2 && !parts[1].equals("pipeline") && !parts[1].equals("member")) {
      return false;
    }
    return parts.length == 1 + scopeLength + after;
  }

  private static String scope(String[] parts) {
    return parts[1].equals("global") ? "global" : parts[1] + "/" + parts[2];
  }
}
