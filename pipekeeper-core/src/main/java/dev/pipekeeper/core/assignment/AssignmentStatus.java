package dev.pipekeeper.core.assignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an operator sees of a group's work, read at one moment: the published assignment, which
 * member actually owns each unit now, and so which moves are still under way.
 *
 * @param group the group
 * @param assignment the published assignment, if any
 * @param units the group's units, sorted
 * @param owners unit → the member holding its owner node now
 * @param drained members an operator drained (present or not)
 */
public record AssignmentStatus(
    String group,
    Optional<Assignment> assignment,
    List<String> units,
    Map<String, String> owners,
    Set<String> drained) {

  public AssignmentStatus {
    units = List.copyOf(units);
    owners = Map.copyOf(owners);
    drained = Set.copyOf(drained);
  }

  /**
   * A unit whose owner is not yet the one the assignment names.
   *
   * @param unit the unit
   * @param from who owns it now, if anyone
   * @param to who is assigned it, if anyone
   */
  public record Move(String unit, Optional<String> from, Optional<String> to) {}

  /** The units whose actual owner differs from the assigned one, sorted by unit. */
  public List<Move> pendingMoves() {
    Map<String, String> assigned = assigned();
    Set<String> names = new TreeSet<>(assigned.keySet());
    names.addAll(owners.keySet());
    List<Move> moves = new ArrayList<>();
    for (String unit : names) {
      String to = assigned.get(unit);
      String from = owners.get(unit);
      if (!Objects.equals(to, from)) {
        moves.add(new Move(unit, Optional.ofNullable(from), Optional.ofNullable(to)));
      }
    }
    return moves;
  }

  /**
   * Units of the group that the assignment gives to nobody (no eligible member; all of them while
   * no assignment is published), sorted.
   */
  public List<String> unassigned() {
    return assignment.map(a -> a.unassigned(units)).orElse(units);
  }

  private Map<String, String> assigned() {
    return assignment.map(Assignment::owners).orElse(Map.of());
  }
}
