package dev.pipekeeper.core.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Seeded random properties of the assigner; a failure names its seed and case. */
class AssignerPropertyTest {
  private static final int CASES = 500;

  private static void forEachCase(Consumer<Random> check) {
    long seed = Seeds.seed("property.seed", "AssignerPropertyTest");
    for (int i = 0; i < CASES; i++) {
      Random random = new Random(seed * 31 + i);
      try {
        check.accept(random);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ", case " + i + ": " + e.getMessage(), e);
      }
    }
  }

  private static List<Slot> members(Random random, int count, int minCapacity, int maxCapacity) {
    List<Slot> members = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      members.add(
          new Slot(
              "m" + i,
              minCapacity + random.nextInt(maxCapacity - minCapacity + 1),
              Map.of("zone", random.nextBoolean() ? "a" : "b")));
    }
    return members;
  }

  private static List<WorkUnit> units(Random random, int count, int maxWeight) {
    List<WorkUnit> units = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      units.add(WorkUnit.of("u" + i).withWeight(1 + random.nextInt(maxWeight)));
    }
    return units;
  }

  private static Map<String, String> randomPrevious(
      Random random, List<WorkUnit> units, List<Slot> members) {
    Map<String, String> previous = new HashMap<>();
    for (WorkUnit unit : units) {
      if (random.nextInt(3) > 0) {
        previous.put(unit.name(), "m" + random.nextInt(members.size() + 3)); // some are gone
      }
    }
    return previous;
  }

  @Test
  void capacityIsNeverExceededAndUnitsStayOutOnlyWhenNoMemberHasRoom() {
    forEachCase(
        random -> {
          List<Slot> members = members(random, 1 + random.nextInt(10), 1, 12);
          List<WorkUnit> units = units(random, random.nextInt(80), 4);
          Plan plan = Assigner.assign(units, members, randomPrevious(random, units, members));
          Map<String, Integer> loads = plan.loads(units);
          for (Slot slot : members) {
            assertThat(loads.getOrDefault(slot.memberId(), 0)).isLessThanOrEqualTo(slot.capacity());
          }
          assertThat(plan.owners().size() + plan.unassigned().size()).isEqualTo(units.size());
          for (String name : plan.unassigned()) {
            WorkUnit unit =
                units.stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
            assertThat(members)
                .as("unit %s left out while a member had room", name)
                .allMatch(s -> loads.getOrDefault(s.memberId(), 0) + unit.weight() > s.capacity());
          }
        });
  }

  @Test
  void withRoomToSpareEveryMemberIsWithinOneUnitOfItsShare() {
    // Within one unit's weight of its whole-number quota, which is within 1 of the exact share:
    // for units of weight 1, every load is the share rounded down or up.
    forEachCase(
        random -> {
          int maxWeight = 1 + random.nextInt(3);
          List<WorkUnit> units = units(random, 1 + random.nextInt(200), maxWeight);
          int totalWeight = units.stream().mapToInt(WorkUnit::weight).sum();
          int count = 1 + random.nextInt(12);
          // Capacities large enough that capacity never binds: at least twice the total weight
          // in all, and at least twice the heaviest unit each.
          int base = Math.max(2 * maxWeight, 2 * totalWeight / count + 1);
          List<Slot> members = members(random, count, base, base * 3);
          Plan plan = Assigner.assign(units, members, randomPrevious(random, units, members));
          assertThat(plan.unassigned()).isEmpty();
          long capacity = members.stream().mapToLong(Slot::capacity).sum();
          Map<String, Integer> loads = plan.loads(units);
          for (Slot slot : members) {
            double share = (double) totalWeight * slot.capacity() / capacity;
            assertThat((double) loads.getOrDefault(slot.memberId(), 0))
                .as("load of %s, share %.2f", slot.memberId(), share)
                .isBetween(
                    share - maxWeight - (maxWeight > 1 ? 1 : 0),
                    share + maxWeight + (maxWeight > 1 ? 1 : 0));
            if (maxWeight == 1) {
              assertThat(loads.getOrDefault(slot.memberId(), 0))
                  .isBetween((int) Math.floor(share - 1e-9), (int) Math.ceil(share + 1e-9));
            }
          }
        });
  }

  @Test
  void pinsAreHonoured() {
    forEachCase(
        random -> {
          List<Slot> members = members(random, 1 + random.nextInt(8), 5, 30);
          List<WorkUnit> units = new ArrayList<>();
          for (WorkUnit unit : units(random, random.nextInt(60), 2)) {
            int kind = random.nextInt(4);
            units.add(
                kind == 0
                    ? unit.pinnedTo("m" + random.nextInt(members.size() + 2))
                    : kind == 1
                        ? unit.pinnedToTag("zone=" + (random.nextBoolean() ? "a" : "c"))
                        : unit);
          }
          Plan plan = Assigner.assign(units, members, randomPrevious(random, units, members));
          for (WorkUnit unit : units) {
            String owner = plan.owners().get(unit.name());
            if (owner == null) {
              continue;
            }
            unit.pinnedMember().ifPresent(pin -> assertThat(owner).isEqualTo(pin));
            unit.pinnedTag()
                .ifPresent(
                    tag ->
                        assertThat(
                                members.stream()
                                    .filter(s -> s.memberId().equals(owner))
                                    .findFirst()
                                    .orElseThrow()
                                    .hasTag(tag))
                            .isTrue());
          }
        });
  }

  @Test
  void aJoinMovesAtMostItsShareAndALeaveMovesOnlyTheLeaversUnits() {
    forEachCase(
        random -> {
          int count = 1 + random.nextInt(10);
          List<Slot> members = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            members.add(new Slot("m" + i, 1000, Map.of()));
          }
          List<WorkUnit> units = units(random, random.nextInt(300), 1);
          Plan before = Assigner.assign(units, members, Map.of());

          List<Slot> joined = new ArrayList<>(members);
          joined.add(new Slot("new", 1000, Map.of()));
          Plan afterJoin = Assigner.assign(units, joined, before.owners());
          int bound = (int) Math.ceil((double) units.size() / joined.size()) + 1;
          assertThat(afterJoin.movesFrom(before.owners())).isLessThanOrEqualTo(bound);

          if (count > 1) {
            Slot leaver = members.get(random.nextInt(count));
            List<Slot> left = new ArrayList<>(members);
            left.remove(leaver);
            Plan afterLeave = Assigner.assign(units, left, before.owners());
            for (WorkUnit unit : units) {
              String was = before.owners().get(unit.name());
              if (!was.equals(leaver.memberId())) {
                assertThat(afterLeave.owners().get(unit.name()))
                    .as("%s was not on the leaver", unit.name())
                    .isEqualTo(was);
              }
            }
          }
        });
  }

  @Test
  void theSameInputGivesTheSamePlanWhateverItsOrder() {
    forEachCase(
        random -> {
          List<Slot> members = members(random, 1 + random.nextInt(8), 1, 20);
          List<WorkUnit> units = units(random, random.nextInt(80), 3);
          Map<String, String> previous = randomPrevious(random, units, members);
          Plan plan = Assigner.assign(units, members, previous);
          List<Slot> shuffledMembers = new ArrayList<>(members);
          List<WorkUnit> shuffledUnits = new ArrayList<>(units);
          Collections.shuffle(shuffledMembers, random);
          Collections.shuffle(shuffledUnits, random);
          assertThat(Assigner.assign(shuffledUnits, shuffledMembers, previous)).isEqualTo(plan);
        });
  }
}
