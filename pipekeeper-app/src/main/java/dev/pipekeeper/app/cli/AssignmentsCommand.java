package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.AssignmentStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper assignments [GROUP]}. */
@Command(
    name = "assignments",
    description = {
      "Shows which member runs each work unit.",
      "Which member each work unit is assigned to and which member runs it now, the assignment's"
          + " generation and leader, and the moves still under way."
    })
final class AssignmentsCommand implements Callable<Integer> {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "GROUP",
      description = "Only this group (default: every group with work units).")
  String group;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    List<AssignmentStatus> statuses =
        List.copyOf(
            Connections.perGroup(
                    root.zookeeper,
                    group,
                    pk -> pk.inspector().workGroups(),
                    (pk, g) -> pk.assignments(g).status())
                .values());
    output.print(
        () -> statuses.stream().map(Views::assignment).toList(), out -> print(statuses, out));
    return ExitCodes.OK;
  }

  private static void print(List<AssignmentStatus> statuses, PrintWriter out) {
    if (statuses.isEmpty()) {
      out.println("No groups with work units.");
      return;
    }
    Instant now = Instant.now();
    boolean first = true;
    for (AssignmentStatus status : statuses) {
      if (!first) {
        out.println();
      }
      first = false;
      print(status, now, out);
    }
  }

  private static void print(AssignmentStatus status, Instant now, PrintWriter out) {
    Optional<Assignment> assignment = status.assignment();
    out.println(
        "Group "
            + status.group()
            + ": "
            + assignment
                .map(
                    a ->
                        "generation "
                            + a.generation()
                            + ", published by "
                            + a.leader()
                            + " (epoch "
                            + a.epoch()
                            + ") "
                            + Table.age(a.at(), now)
                            + " ago")
                .orElse("no assignment published yet"));
    Map<String, String> assigned = assignment.map(Assignment::owners).orElse(Map.of());
    TreeSet<String> units = new TreeSet<>(status.units());
    units.addAll(assigned.keySet());
    units.addAll(status.owners().keySet());
    if (units.isEmpty()) {
      out.println("No work units.");
    } else {
      Table table = new Table("UNIT", "ASSIGNED", "OWNER", "STATE");
      for (String unit : units) {
        String to = assigned.get(unit);
        String owner = status.owners().get(unit);
        table.row(unit, orDash(to), orDash(owner), state(to, owner));
      }
      table.print(out);
    }
    int pending = status.pendingMoves().size();
    out.println(
        pending == 0
            ? "No moves pending."
            : pending + (pending == 1 ? " move" : " moves") + " pending.");
    List<String> unassigned = status.unassigned();
    if (assignment.isPresent() && !unassigned.isEmpty()) {
      out.println(
          Placement.units(unassigned)
              + " unassigned, no member can take "
              + (unassigned.size() == 1 ? "it" : "them")
              + " (all drained or gone, pinned elsewhere, or full): "
              + String.join(", ", unassigned)
              + ".");
    }
    if (!status.drained().isEmpty()) {
      out.println("Drained: " + String.join(", ", status.drained()));
    }
  }

  private static String state(String assigned, String owner) {
    if (assigned == null && owner == null) {
      return "unassigned";
    }
    if (assigned == null) {
      return "stopping on " + owner;
    }
    if (owner == null) {
      return "starting";
    }
    return assigned.equals(owner) ? "running" : "moving " + owner + " -> " + assigned;
  }

  private static String orDash(String value) {
    return value == null ? "-" : value;
  }
}
