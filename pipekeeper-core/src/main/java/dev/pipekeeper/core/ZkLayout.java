package dev.pipekeeper.core;

import java.util.regex.Pattern;

/**
 * The one place where ZooKeeper paths are built. Everything of one deployment lives under {@link
 * #root(String) /pipekeeper/CLUSTER}; Pipekeeper's client uses that as its Curator namespace, so
 * the other paths here are relative to it.
 *
 * <p>Names of clusters, groups, roles, locks and barriers are 1 to 200 characters of {@code
 * [A-Za-z0-9._-]} and do not start with a dot: they become single path elements.
 */
public final class ZkLayout {
  public static final String MEMBERS = "/members";
  public static final String LEADERS = "/leaders";
  public static final String EPOCHS = "/epochs";
  public static final String LOCKS = "/locks";
  public static final String SEMAPHORES = "/semaphores";
  public static final String BARRIERS = "/barriers";
  public static final String UNITS = "/units";
  public static final String ASSIGNMENTS = "/assignments";
  public static final String OWNERS = "/owners";
  public static final String DRAINS = "/drains";
  public static final String HEALTH = "/health";
  public static final String CONFIG = "/config";
  public static final String CONFIG_HISTORY = "/config-history";
  public static final String CONFIG_SCHEMA = "/config-schema";
  public static final String CONFIG_APPLIED = "/config-applied";

  /** The node every configuration change of a scope writes, in the same multi-op. */
  public static final String COMMIT = "_commit";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

  private ZkLayout() {}

  /** The absolute root of a cluster's data: {@code /pipekeeper/CLUSTER}. */
  public static String root(String cluster) {
    return "/pipekeeper/" + name("cluster", cluster);
  }

  /** The Curator namespace of a cluster (the root without its leading slash). */
  public static String namespace(String cluster) {
    return root(cluster).substring(1);
  }

  public static String members(String group) {
    return MEMBERS + "/" + name("group", group);
  }

  public static String member(String group, String memberId) {
    return members(group) + "/" + name("member id", memberId);
  }

  public static String leaders(String role) {
    return LEADERS + "/" + name("role", role);
  }

  public static String epoch(String role) {
    return EPOCHS + "/" + name("role", role);
  }

  public static String lock(String name) {
    return LOCKS + "/" + name("lock", name);
  }

  public static String semaphore(String name) {
    return SEMAPHORES + "/" + name("semaphore", name);
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
    return BARRIERS + "/" + name("barrier", name);
  }

  /** A group's current assignment, written by its leader only. */
  public static String assignment(String group) {
    return ASSIGNMENTS + "/" + name("group", group);
  }

  /** The owner nodes of a group's units: ephemeral, one per unit being run. */
  public static String owners(String group) {
    return OWNERS + "/" + name("group", group);
  }

  public static String owner(String group, String unit) {
    return owners(group) + "/" + name("work unit", unit);
  }

  /** The members of a group an operator drained. */
  public static String drains(String group) {
    return DRAINS + "/" + name("group", group);
  }

  public static String drain(String group, String memberId) {
    return drains(group) + "/" + name("member id", memberId);
  }

  /** The health records of a group's members: ephemeral, one per publishing member. */
  public static String health(String group) {
    return HEALTH + "/" + name("group", group);
  }

  public static String health(String group, String memberId) {
    return health(group) + "/" + name("member id", memberId);
  }

  /** The role whose leader assigns a group's work units. */
  public static String assignerRole(String group) {
    return name("role", name("group", group) + ".assigner");
  }

  /** The work units of a group. */
  public static String units(String group) {
    return UNITS + "/" + name("group", group);
  }

  public static String unit(String group, String unit) {
    return units(group) + "/" + name("work unit", unit);
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

  public static String configSchema(String scopePath, String key) {
    return CONFIG_SCHEMA + "/" + scopePath + "/" + key;
  }

  /** Where a member acknowledges the configuration versions it applied. */
  public static String configApplied(String memberId) {
    return CONFIG_APPLIED + "/" + name("member id", memberId);
  }

  /** The last element of a path. */
  public static String lastElement(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * Checks a name that becomes one path element.
   *
   * @return the name
   * @throws InvalidInputException naming what the name is for and why it is refused
   */
  public static String name(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          what
              + " name '"
              + name
              + "' is not valid: use 1 to 200 characters of A-Z a-z 0-9 . _ -, not starting with '.'");
    }
    return name;
  }
}
