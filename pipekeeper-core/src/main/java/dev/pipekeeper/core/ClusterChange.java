package dev.pipekeeper.core;

import java.util.Objects;

/**
 * Something changed in a cluster's tree, as a {@link ClusterWatch} tells it: the area and the name
 * in it. It carries no data; read what the area shows again (the inspector, {@code
 * assignments(group).status()}, {@code health().reports(group)}, {@code alerts().active()}, ...).
 *
 * @param area what kind of thing changed
 * @param name the group ({@link Area#MEMBERS}, {@link Area#ASSIGNMENT}, {@link Area#HEALTH}), the
 *     role ({@link Area#LEADERS}), the scope's path ({@link Area#CONFIG}), the member id ({@link
 *     Area#APPLIED}) or the alert key ({@link Area#ALERTS})
 */
public record ClusterChange(Area area, String name) {

  /** The areas a watch tells changes of; every other node of the tree is not told. */
  public enum Area {
    /** A group's member nodes: one came, changed or went; or the group's folder was made. */
    MEMBERS,
    /** A role's election: a contender came or went, its epoch moved, or it was retired. */
    LEADERS,
    /** A group's assignment, unit owners, drains or work units. */
    ASSIGNMENT,
    /** A group's health records. */
    HEALTH,
    /** A live alert (pending, firing, resolved) was stored, changed or removed by the monitor. */
    ALERTS,
    /** A configuration scope's commit: each change of a scope writes it, as its last operation. */
    CONFIG,
    /** A member's acknowledgement of the configuration versions it applied. */
    APPLIED
  }

  public ClusterChange {
    Objects.requireNonNull(area, "area");
    Objects.requireNonNull(name, "name");
  }
}
