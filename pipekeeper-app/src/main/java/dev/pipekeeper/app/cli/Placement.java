package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.Assigner;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.Plan;
import dev.pipekeeper.core.assignment.Slot;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.membership.MemberRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * What a change to a group's units or drains does to where its units run, planned as the group's
 * leader will plan it ({@link Assigner} over the members {@link Slot#eligible} lets take work, from
 * the published assignment), so {@code drain} and {@code units} can say what will happen and refuse
 * a change that leaves units with nowhere to run.
 */
final class Placement {
  private final String group;
  private final List<WorkUnit> units;
  private final List<MemberRecord> members;
  private final Set<String> drained;
  private final Map<String, String> previous;

  private Placement(
      String group,
      List<WorkUnit> units,
      List<MemberRecord> members,
      Set<String> drained,
      Map<String, String> previous) {
    this.group = group;
    this.units = units;
    this.members = members;
    this.drained = drained;
    this.previous = previous;
  }

  /** The group as it is now. */
  static Placement read(Pipekeeper pk, String group) {
    return new Placement(
        group,
        pk.workUnits(group).list(),
        pk.membership().members(group),
        pk.assignments(group).drained(),
        pk.assignments(group).current().map(Assignment::owners).orElse(Map.of()));
  }

  /** What the change would do. */
  record Effect(Plan before, Plan after, List<String> stranded) {
    /** The units {@code member} runs now that would run elsewhere, with where. */
    Map<String, String> movedFrom(String member) {
      Map<String, String> moved = new java.util.TreeMap<>();
      before
          .owners()
          .forEach(
              (unit, owner) -> {
                String next = after.owners().get(unit);
                if (owner.equals(member) && next != null && !next.equals(member)) {
                  moved.put(unit, next);
                }
              });
      return moved;
    }
  }

  /** Draining {@code member}. */
  Effect drain(String member) {
    Set<String> next = new TreeSet<>(drained);
    next.add(member);
    return effect(units, next);
  }

  /** Changing the unit {@code name} (or adding it, if {@code change} is given none). */
  Effect unit(String name, UnaryOperator<WorkUnit> change) {
    List<WorkUnit> next = new ArrayList<>();
    boolean found = false;
    for (WorkUnit unit : units) {
      if (unit.name().equals(name)) {
        next.add(change.apply(unit));
        found = true;
      } else {
        next.add(unit);
      }
    }
    if (!found) {
      next.add(change.apply(WorkUnit.of(name)));
    }
    return effect(next, drained);
  }

  private Effect effect(List<WorkUnit> nextUnits, Set<String> nextDrained) {
    Plan before = Assigner.assign(units, Slot.eligible(members, drained), previous);
    Plan after = Assigner.assign(nextUnits, Slot.eligible(members, nextDrained), previous);
    List<String> stranded = new ArrayList<>(after.unassigned());
    stranded.removeAll(before.unassigned());
    return new Effect(before, after, stranded);
  }

  /**
   * Refuses (nothing done) a change that strands units, unless forced.
   *
   * @param change what the change is, e.g. "draining b"
   * @param reason why no member can take them
   * @throws InvalidInputException naming the units and saying how to go ahead anyway
   */
  void refuseStranding(Effect effect, String change, String reason, boolean force) {
    if (!effect.stranded().isEmpty() && !force) {
      throw new InvalidInputException(
          change
              + " would leave "
              + units(effect.stranded())
              + " of group "
              + group
              + " with no member to run them ("
              + String.join(", ", effect.stranded())
              + "): "
              + reason
              + "; nothing was changed (--force to do it anyway)");
    }
  }

  /** The members that take work after draining {@code member}, sorted. */
  List<String> takingWorkWithout(String member) {
    Set<String> next = new TreeSet<>(drained);
    next.add(member);
    return Slot.eligible(members, next).stream().map(Slot::memberId).sorted().toList();
  }

  static String units(List<String> names) {
    return names.size() + (names.size() == 1 ? " unit" : " units");
  }
}
