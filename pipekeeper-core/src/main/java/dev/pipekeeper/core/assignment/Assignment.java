package dev.pipekeeper.core.assignment;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A published assignment of a group's work units.
 *
 * @param generation increases by one with every publication
 * @param epoch the fencing epoch of the leader that published it
 * @param leader the identity of that leader
 * @param owners unit → member
 * @param at when it was published
 */
public record Assignment(
    long generation, long epoch, String leader, Map<String, String> owners, Instant at) {
  public Assignment {
    owners = Map.copyOf(owners);
  }

  /**
   * The units among {@code units} that this assignment gives to nobody: no member could take them
   * when it was planned (every member drained or gone, pinned to an absent member or tag, no
   * capacity left), so nobody runs them. Sorted.
   */
  public List<String> unassigned(Collection<String> units) {
    return units.stream().filter(unit -> !owners.containsKey(unit)).sorted().distinct().toList();
  }
}
