package dev.pipekeeper.core.internal;

import dev.pipekeeper.core.ClusterChange;
import dev.pipekeeper.core.Names;
import java.util.Arrays;
import java.util.Optional;

/**
 * The one place where ZooKeeper paths are built. Everything of one deployment lives under {@link
 * #root(String) /pipekeeper/CLUSTER}; Pipekeeper's client uses that as its Curator namespace, so
 * the other paths here are relative to it.
 *
 * <p>Names of clusters, groups, roles, locks and barriers are 1 to 200 characters of {@code
 * [A-Za-z0-9._-]} and do not start with a dot: they become single path elements.
 */
public final class ZkLayout {
  /** The node under which every cluster's root lies. */
  public static final String BASE = "/pipekeeper";

  public static final String MEMBERS = "/members";
  public static final String LEADERS = "/leaders";
  public static final String EPOCHS = "/epochs";
  public static final String LOCKS = "/locks";
  public static final String SEMAPHORES = "/semaphores";
  public static final String BARRIERS = "/barriers";
  public static final String UNITS = "/units";
  public static final String ASSIGNMENTS = "/assignments";
  public static final String ASSIGNMENT_CHANGES = "/assignment-changes";
  public static final String OWNERS = "/owners";
  public static final String DRAINS = "/drains";
  public static final String HEALTH = "/health";
  public static final String MEMBERS_LEFT = "/members-left";
  public static final String ROLES_RETIRED = "/roles-retired";
  public static final String CONFIG = "/config";
  public static final String CONFIG_HISTORY = "/config-history";
  public static final String CONFIG_SCHEMA = "/config-schema";
  public static final String CONFIG_APPLIED = "/config-applied";
  public static final String CONFIG_SECRET = "/config-secret";
  public static final String ALERTS = "/alerts";
  public static final String ALERTS_ACTIVE = ALERTS + "/active";
  public static final String ALERTS_HISTORY = ALERTS + "/history";
  public static final String ALERTS_ROSTER = ALERTS + "/roster";

  /** The prefix of history entries' sequential node names. */
  public static final String ALERT_HISTORY_PREFIX = "h-";

  /** The name prefix of a config key's history entries (sequential nodes). */
  public static final String CONFIG_HISTORY_PREFIX = "v-";

  /** The node every configuration change of a scope writes, in the same multi-op. */
  public static final String COMMIT = "_commit";

  private ZkLayout() {}

  /** The absolute root of a cluster's data: {@code /pipekeeper/CLUSTER}. */
  public static String root(String cluster) {
    return BASE + "/" + Names.check("cluster", cluster);
  }

  /** The Curator namespace of a cluster (the root without its leading slash). */
  public static String namespace(String cluster) {
    return root(cluster).substring(1);
  }

  public static String members(String group) {
    return MEMBERS + "/" + Names.check("group", group);
  }

  public static String member(String group, String memberId) {
    return members(group) + "/" + Names.check("member id", memberId);
  }

  public static String leaders(String role) {
    return LEADERS + "/" + Names.check("role", role);
  }

  public static String epoch(String role) {
    return EPOCHS + "/" + Names.check("role", role);
  }

  public static String lock(String name) {
    return LOCKS + "/" + Names.check("lock", name);
  }

  public static String semaphore(String name) {
    return SEMAPHORES + "/" + Names.check("semaphore", name);
  }

  /** The leases (holders) of a semaphore. */
  public static String semaphoreLeases(String name) {
    return semaphore(name) + "/leases";
  }

  /** The internal lock of a semaphore, where acquirers queue. */
  public static String semaphoreLocks(String name) {
    return semaphore(name) + "/locks";
  }

  public static String barrier(String name) {
    return BARRIERS + "/" + Names.check("barrier", name);
  }

  /** A group's current assignment, written by its leader only. */
  public static String assignment(String group) {
    return ASSIGNMENTS + "/" + Names.check("group", group);
  }

  /**
   * What the latest generation of a group's assignment changed from the one before (which units
   * moved where), written in the same transaction as the assignment, so a member that saw the
   * generation before reads this small node instead of the whole assignment.
   */
  public static String assignmentChange(String group) {
    return ASSIGNMENT_CHANGES + "/" + Names.check("group", group);
  }

  /** The owner nodes of a group's units: ephemeral, one per unit being run. */
  public static String owners(String group) {
    return OWNERS + "/" + Names.check("group", group);
  }

  public static String owner(String group, String unit) {
    return owners(group) + "/" + Names.check("work unit", unit);
  }

  /** The members of a group an operator drained. */
  public static String drains(String group) {
    return DRAINS + "/" + Names.check("group", group);
  }

  public static String drain(String group, String memberId) {
    return drains(group) + "/" + Names.check("member id", memberId);
  }

  /**
   * The members of a group that left gracefully (closed, not crashed), with when: written by a
   * member just before its node goes, so the monitor can tell a leave from a death.
   */
  public static String membersLeft(String group) {
    return MEMBERS_LEFT + "/" + Names.check("group", group);
  }

  /**
   * A role's retirement: written when its last contender closes gracefully, or by {@code pipekeeper
   * leaders retire}, with the epoch it ended at, so the monitor does not take the end of a role for
   * the loss of its leader.
   */
  public static String roleRetired(String role) {
    return ROLES_RETIRED + "/" + Names.check("role", role);
  }

  /** The health records of a group's members: ephemeral, one per publishing member. */
  public static String health(String group) {
    return HEALTH + "/" + Names.check("group", group);
  }

  public static String health(String group, String memberId) {
    return health(group) + "/" + Names.check("member id", memberId);
  }

  /** The role whose leader assigns a group's work units. */
  public static String assignerRole(String group) {
    return Names.check("role", Names.check("group", group) + ".assigner");
  }

  /** The work units of a group. */
  public static String units(String group) {
    return UNITS + "/" + Names.check("group", group);
  }

  public static String unit(String group, String unit) {
    return units(group) + "/" + Names.check("work unit", unit);
  }

  /** The folder of a configuration scope, e.g. {@code /config/pipeline/enricher}. */
  public static String config(String scopePath) {
    return CONFIG + "/" + scopePath;
  }

  public static String configKey(String scopePath, String key) {
    return config(scopePath) + "/" + key;
  }

  public static String configCommit(String scopePath) {
    return config(scopePath) + "/" + COMMIT;
  }

  public static String configHistory(String scopePath, String key) {
    return CONFIG_HISTORY + "/" + scopePath + "/" + key;
  }

  /**
   * The folder of a scope's schemas. Its data version counts the schema changes made through
   * Pipekeeper, so a write can check in its multi-op that the schemas it validated against are
   * still the current ones.
   */
  public static String configSchemas(String scopePath) {
    return CONFIG_SCHEMA + "/" + scopePath;
  }

  public static String configSchema(String scopePath, String key) {
    return configSchemas(scopePath) + "/" + key;
  }

  /**
   * The marker of a secret key: one per key name, for every scope. Written with (before, and
   * checked in the multi-op of) a {@code "writeOnly"} schema; removed only by an explicit reveal.
   */
  public static String configSecret(String key) {
    return CONFIG_SECRET + "/" + key;
  }

  /** Where a member acknowledges the configuration versions it applied. */
  public static String configApplied(String memberId) {
    return CONFIG_APPLIED + "/" + Names.check("member id", memberId);
  }

  /** An active alert's node; the key is encoded into one path element (see {@link #alertNode}). */
  public static String alertActive(String alertKey) {
    return ALERTS_ACTIVE + "/" + alertNode(alertKey);
  }

  /** The prefix of the next history entry's sequential node. */
  public static String alertHistoryEntry() {
    return ALERTS_HISTORY + "/" + ALERT_HISTORY_PREFIX;
  }

  /** The monitor's record of a group's members as last seen (to tell who left, and how). */
  public static String alertRoster(String group) {
    return ALERTS_ROSTER + "/" + Names.check("group", group);
  }

  /**
   * An alert key as one path element: {@code A-Z a-z 0-9 . -} stay, every other character becomes
   * {@code _} and its UTF-8 bytes in hex ({@code /} is {@code _2f}), so distinct keys never share a
   * node and the key can be read back ({@link #alertKey}).
   */
  public static String alertNode(String alertKey) {
    StringBuilder out = new StringBuilder();
    for (byte b : alertKey.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || (c == '.' && out.length() > 0)) {
        out.append(c);
      } else {
        out.append('_').append(String.format("%02x", b & 0xff));
      }
    }
    return out.toString();
  }

  /** The alert key an {@link #alertNode} encodes. */
  public static String alertKey(String node) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < node.length(); i++) {
      char c = node.charAt(i);
      if (c == '_' && i + 2 < node.length()) {
        bytes.write(Integer.parseInt(node.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * What a change of the node at {@code path} (relative to the cluster's root) is about, for a
   * {@link dev.pipekeeper.core.ClusterWatch}: the area and the group, role, scope, member or alert
   * it belongs to. Empty for nodes no area shows (histories, locks, barriers, rosters, a scope's
   * keys before its commit, folders).
   */
  public static Optional<ClusterChange> changeOf(String path) {
    String[] parts = path.split("/");
    if (parts.length < 3 || !parts[0].isEmpty()) {
      return Optional.empty();
    }
    String name = parts[2];
    ClusterChange.Area area =
        switch ("/" + parts[1]) {
          case MEMBERS -> ClusterChange.Area.MEMBERS;
          case LEADERS, EPOCHS, ROLES_RETIRED -> ClusterChange.Area.LEADERS;
          case ASSIGNMENTS, OWNERS, DRAINS, UNITS -> ClusterChange.Area.ASSIGNMENT;
          case HEALTH -> ClusterChange.Area.HEALTH;
          case CONFIG_APPLIED -> ClusterChange.Area.APPLIED;
          case ALERTS ->
              parts.length == 4 && ALERTS_ACTIVE.equals(ALERTS + "/" + parts[2])
                  ? ClusterChange.Area.ALERTS
                  : null;
          case CONFIG ->
              parts.length >= 4 && parts[parts.length - 1].equals(COMMIT)
                  ? ClusterChange.Area.CONFIG
                  : null;
          default -> null;
        };
    if (area == null) {
      return Optional.empty();
    }
    if (area == ClusterChange.Area.ALERTS) {
      name = alertKey(parts[3]);
    } else if (area == ClusterChange.Area.CONFIG) {
      name = String.join("/", Arrays.copyOfRange(parts, 2, parts.length - 1));
    }
    return Optional.of(new ClusterChange(area, name));
  }

  /** The last element of a path. */
  public static String lastElement(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
