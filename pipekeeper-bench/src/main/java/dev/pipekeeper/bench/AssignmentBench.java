package dev.pipekeeper.bench;

import dev.pipekeeper.core.assignment.Assigner;
import dev.pipekeeper.core.assignment.Plan;
import dev.pipekeeper.core.assignment.Slot;
import dev.pipekeeper.core.assignment.WorkUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * P5: assignment of 10,000 units over 100 members: computation time (target under 50 ms) and the
 * units moved when a member joins (target at most ⌈units/members⌉ + 1) or leaves (only its own).
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.AssignmentBench -Dbench.args=50} (timed repetitions).
 */
public final class AssignmentBench {
  private static final int UNITS = 10_000;
  private static final int MEMBERS = 100;

  private AssignmentBench() {}

  public static void main(String[] args) {
    int repetitions = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 50;
    List<WorkUnit> units = new ArrayList<>();
    for (int i = 0; i < UNITS; i++) {
      units.add(WorkUnit.of("unit-" + i).withWeight(1 + i % 3));
    }
    List<Slot> members = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      members.add(new Slot(String.format("member-%03d", i), 1_000, Map.of()));
    }
    Plan initial = Assigner.assign(units, members, Map.of());

    Stats fresh = new Stats();
    Stats sticky = new Stats();
    for (int i = 0; i < repetitions + 10; i++) {
      long start = System.nanoTime();
      Assigner.assign(units, members, Map.of());
      long middle = System.nanoTime();
      Assigner.assign(units, members, initial.owners());
      long end = System.nanoTime();
      if (i >= 10) {
        fresh.add((middle - start) / 1e6);
        sticky.add((end - middle) / 1e6);
      }
    }
    List<Slot> joined = new ArrayList<>(members);
    joined.add(new Slot("member-new", 1_000, Map.of()));
    Plan afterJoin = Assigner.assign(units, joined, initial.owners());
    List<Slot> left = new ArrayList<>(members.subList(1, members.size()));
    Plan afterLeave = Assigner.assign(units, left, initial.owners());
    long leaversUnits =
        initial.owners().values().stream().filter(members.get(0).memberId()::equals).count();

    System.out.println(
        "Java "
            + System.getProperty("java.version")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores, "
            + UNITS
            + " units (weights 1-3) over "
            + MEMBERS
            + " members, "
            + repetitions
            + " timed repetitions after 10 warm-up");
    System.out.println("| measure | value | target |");
    System.out.println("| --- | --- | --- |");
    System.out.printf(
        "| assign from scratch, p50 / max (ms) | %.2f / %.2f | < 50 |%n",
        fresh.percentile(50), fresh.max());
    System.out.printf(
        "| re-assign with the previous plan, p50 / max (ms) | %.2f / %.2f | < 50 |%n",
        sticky.percentile(50), sticky.max());
    System.out.printf(
        "| units moved when a member joins | %d | ≤ %d |%n",
        afterJoin.movesFrom(initial.owners()), (int) Math.ceil((double) UNITS / joined.size()) + 1);
    System.out.printf(
        "| units moved when a member leaves | %d | = its own units: %d |%n",
        afterLeave.movesFrom(initial.owners()), leaversUnits);
  }
}
