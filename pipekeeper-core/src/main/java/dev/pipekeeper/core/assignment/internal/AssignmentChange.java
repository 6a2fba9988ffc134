package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.assignment.Assignment;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one generation of an assignment changed from the generation before: the units given to a new
 * owner ({@code moved}, unit → member) and the units no longer given to anyone ({@code removed}).
 * With the rest of the generation's record it rebuilds the new assignment from the old one, so a
 * member reads a few entries per generation instead of every unit of the group.
 *
 * @param generation the generation it leads to
 * @param previous the generation it starts from; 0 when there was none to start from (the first
 *     publication, or an assignment node that could not be read), so it cannot be applied
 */
record AssignmentChange(
    long generation,
    long previous,
    long epoch,
    String leader,
    Instant at,
    Map<String, String> moved,
    List<String> removed) {

  AssignmentChange {
    moved = moved == null ? Map.of() : Map.copyOf(moved);
    removed = removed == null ? List.of() : List.copyOf(removed);
  }

  /** The change from {@code before} (empty: nothing to start from) to {@code after}. */
  static AssignmentChange between(Optional<Assignment> before, Assignment after) {
    Map<String, String> old = before.map(Assignment::owners).orElse(Map.of());
    Map<String, String> moved = new TreeMap<>();
    after
        .owners()
        .forEach(
            (unit, owner) -> {
              if (!owner.equals(old.get(unit))) {
                moved.put(unit, owner);
              }
            });
    TreeSet<String> removed = new TreeSet<>(old.keySet());
    removed.removeAll(after.owners().keySet());
    return new AssignmentChange(
        after.generation(),
        before.map(Assignment::generation).orElse(0L),
        after.epoch(),
        after.leader(),
        after.at(),
        moved,
        List.copyOf(removed));
  }

  /**
   * The assignment this change leads to from {@code seen}, if {@code seen} is the generation it
   * starts from; empty otherwise (the reader must read the whole assignment).
   */
  Optional<Assignment> applyTo(Assignment seen) {
    if (previous == 0 || seen.generation() != previous) {
      return Optional.empty();
    }
    Map<String, String> owners = new HashMap<>(seen.owners());
    removed.forEach(owners::remove);
    owners.putAll(moved);
    return Optional.of(new Assignment(generation, epoch, leader, owners, at));
  }
}
