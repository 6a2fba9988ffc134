package dev.pipekeeper.core.assignment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Assigns work units to live members: sticky, balanced by weight in proportion to capacity, never
 * over capacity, pins honoured, and deterministic (the same input gives the same plan).
 *
 * <p>Each member's target is its share of the total weight in proportion to its capacity (never
 * above its capacity), rounded to a whole-number quota: rounded down, with the weight left over
 * going one by one to the members that held the most before. The plan is made in three passes:
 *
 * <ol>
 *   <li>pinned units go to their member, or to the eligible member with the largest deficit;
 *   <li>every other unit stays with its previous owner while that owner stays at or below its quota
 *       (so a member that leaves moves only its own units, and a member that joins takes only what
 *       brings the others down to their new quotas);
 *   <li>the remaining units, heaviest first, each go to the member with the largest deficit (quota
 *       minus load) that has room.
 * </ol>
 *
 * <p>With unpinned units and enough capacity, every member ends within one unit's weight of its
 * quota (with units of weight 1: its exact share rounded down or up). Pure computation: no
 * ZooKeeper, thread-safe. A {@link GroupWorker} that leads its group runs it after each burst of
 * changes and publishes the plan as the group's {@link Assignment} (when it differs from the one
 * published).
 */
public final class Assigner {
  private Assigner() {}

  /**
   * Plans the assignment.
   *
   * @param units the group's units
   * @param members the live members that may run work (RUNNING)
   * @param previous the current unit → member assignment (entries for absent units or members are
   *     ignored)
   */
  public static Plan assign(
      List<WorkUnit> units, List<Slot> members, Map<String, String> previous) {
    Map<String, Slot> slots = new TreeMap<>();
    members.forEach(slot -> slots.put(slot.memberId(), slot));
    long totalCapacity = slots.values().stream().mapToLong(Slot::capacity).sum();
    long totalWeight = units.stream().mapToLong(WorkUnit::weight).sum();
    Map<String, Double> target = new HashMap<>();
    for (Slot slot : slots.values()) {
      double share =
          totalCapacity == 0 ? 0 : (double) totalWeight * slot.capacity() / totalCapacity;
      target.put(slot.memberId(), Math.min(share, slot.capacity()));
    }
    Map<String, Integer> load = new HashMap<>();
    slots.keySet().forEach(id -> load.put(id, 0));
    Map<String, Integer> quota = quotas(units, slots, target, previous, totalWeight);
    Map<String, String> owners = new TreeMap<>();
    List<String> unassigned = new ArrayList<>();

    List<WorkUnit> sorted = new ArrayList<>(units);
    sorted.sort(Comparator.comparing(WorkUnit::name));

    // 1. Pinned units.
    for (WorkUnit unit : sorted) {
      if (!unit.isPinned()) {
        continue;
      }
      List<Slot> eligible = new ArrayList<>();
      for (Slot slot : slots.values()) {
        boolean fits = load.get(slot.memberId()) + unit.weight() <= slot.capacity();
        boolean matches =
            unit.pinnedMember().map(slot.memberId()::equals).orElse(false)
                || unit.pinnedTag().map(slot::hasTag).orElse(false);
        if (fits && matches) {
          eligible.add(slot);
        }
      }
      String before = previous.get(unit.name());
      Optional<Slot> choice =
          eligible.stream().filter(slot -> slot.memberId().equals(before)).findFirst();
      if (choice.isEmpty()) {
        choice = eligible.stream().max(byDeficit(quota, load));
      }
      if (choice.isPresent()) {
        place(unit, choice.get().memberId(), owners, load);
      } else {
        unassigned.add(unit.name());
      }
    }

    // 2. Sticky: keep unpinned units with their previous owner up to its quota.
    List<WorkUnit> rest = new ArrayList<>();
    for (WorkUnit unit : sorted) {
      if (unit.isPinned()) {
        continue;
      }
      String before = previous.get(unit.name());
      Slot slot = before == null ? null : slots.get(before);
      if (slot != null && load.get(before) + unit.weight() <= quota.get(before)) {
        place(unit, before, owners, load);
      } else {
        rest.add(unit);
      }
    }

    // 3. The rest, heaviest first, to the largest deficit with room. A priority queue keeps
    // this O(units × log members); members without room for a unit wait aside meanwhile.
    rest.sort(Comparator.comparingInt(WorkUnit::weight).reversed().thenComparing(WorkUnit::name));
    PriorityQueue<Slot> byNeed = new PriorityQueue<>(byDeficit(quota, load).reversed());
    byNeed.addAll(slots.values());
    List<Slot> aside = new ArrayList<>();
    for (WorkUnit unit : rest) {
      Slot chosen = null;
      while (!byNeed.isEmpty()) {
        Slot best = byNeed.poll();
        if (load.get(best.memberId()) + unit.weight() <= best.capacity()) {
          chosen = best;
          break;
        }
        aside.add(best);
      }
      if (chosen != null) {
        place(unit, chosen.memberId(), owners, load);
        byNeed.add(chosen);
      } else {
        unassigned.add(unit.name());
      }
      byNeed.addAll(aside);
      aside.clear();
    }
    unassigned.sort(Comparator.naturalOrder());
    return new Plan(owners, unassigned);
  }

  /**
   * Whole-number shares: each member's target rounded down, and the weight left over handed out one
   * by one to the members that held the most before (so rounding never forces a move).
   */
  private static Map<String, Integer> quotas(
      List<WorkUnit> units,
      Map<String, Slot> slots,
      Map<String, Double> target,
      Map<String, String> previous,
      long totalWeight) {
    Map<String, Integer> quota = new HashMap<>();
    long assignedByFloor = 0;
    for (Slot slot : slots.values()) {
      int floor = (int) Math.floor(target.get(slot.memberId()) + 1e-9);
      quota.put(slot.memberId(), floor);
      assignedByFloor += floor;
    }
    Map<String, Integer> held = new HashMap<>();
    for (WorkUnit unit : units) {
      String owner = previous.get(unit.name());
      if (owner != null && slots.containsKey(owner)) {
        held.merge(owner, unit.weight(), Integer::sum);
      }
    }
    List<Slot> order = new ArrayList<>(slots.values());
    order.sort(
        Comparator.<Slot>comparingInt(s -> held.getOrDefault(s.memberId(), 0))
            .reversed()
            .thenComparing(Slot::memberId));
    long left = totalWeight - assignedByFloor;
    for (Slot slot : order) {
      if (left <= 0) {
        break;
      }
      if (quota.get(slot.memberId()) < slot.capacity()) {
        quota.merge(slot.memberId(), 1, Integer::sum);
        left--;
      }
    }
    return quota;
  }

  /** Larger deficit first; ties broken by member id, smaller first, for determinism. */
  private static Comparator<Slot> byDeficit(Map<String, Integer> quota, Map<String, Integer> load) {
    return Comparator.<Slot>comparingInt(s -> quota.get(s.memberId()) - load.get(s.memberId()))
        .thenComparing(Slot::memberId, Comparator.reverseOrder());
  }

  private static void place(
      WorkUnit unit, String member, Map<String, String> owners, Map<String, Integer> load) {
    owners.put(unit.name(), member);
    load.merge(member, unit.weight(), Integer::sum);
  }
}
