package dev.pipekeeper.core.assignment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of an assignment.
 *
 * @param owners unit → member
 * @param unassigned units no member can take (pinned to an absent member or tag, or no capacity
 *     left), sorted
 */
public record Plan(Map<String, String> owners, List<String> unassigned) {
  public Plan {
    owners = Map.copyOf(owners);
    unassigned = List.copyOf(unassigned);
  }

  /** Total unit weight per member, given the units. */
  public Map<String, Integer> loads(List<WorkUnit> units) {
    Map<String, Integer> loads = new HashMap<>();
    for (WorkUnit unit : units) {
      String owner = owners.get(unit.name());
      if (owner != null) {
        loads.merge(owner, unit.weight(), Integer::sum);
      }
    }
    return loads;
  }

  /** How many units changed owner (or gained or lost one) compared with {@code previous}. */
  public int movesFrom(Map<String, String> previous) {
    int moves = 0;
    for (Map.Entry<String, String> entry : owners.entrySet()) {
      String before = previous.get(entry.getKey());
      if (before != null && !Objects.equals(before, entry.getValue())) {
        moves++;
      }
    }
    return moves;
  }
}
