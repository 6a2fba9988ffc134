package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkUnits;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper units}: the work units of a group. */
@Command(
    name = "units",
    description = {
      "Lists and changes the work units of a group.",
      "Work units are the work that is not a Kafka partition (tenants, files, endpoints), with"
          + " their weights and pins."
    })
final class UnitsCommand implements Runnable {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: say which one to run");
  }

  @Command(name = "list", description = "Lists a group's units with their weights and pins.")
  int list(
      @Parameters(paramLabel = "GROUP", description = "The group.") String group,
      @Mixin JsonOutput output) {
    List<WorkUnit> units;
    try (Pipekeeper pk = Connections.open(root.zookeeper)) {
      units = pk.workUnits(group).list();
    }
    output.print(() -> units, out -> print(group, units, out));
    return ExitCodes.OK;
  }

  private static void print(String group, List<WorkUnit> units, PrintWriter out) {
    if (units.isEmpty()) {
      out.println("No work units in group " + group + ".");
    } else {
      Table table = new Table("UNIT", "WEIGHT", "PIN");
      for (WorkUnit unit : units) {
        table.row(
            unit.name(),
            unit.weight(),
            unit.pinnedMember()
                .map(m -> "member " + m)
                .or(() -> unit.pinnedTag().map(t -> "tag " + t))
                .orElse("-"));
      }
      table.print(out);
    }
  }

  @Command(name = "add", description = "Adds a unit, or changes the weight of an existing one.")
  int add(
      @Parameters(index = "0", paramLabel = "GROUP", description = "The group.") String group,
      @Parameters(index = "1", paramLabel = "UNIT", description = "The unit's name.") String name,
      @Option(
              names = "--weight",
              paramLabel = "N",
              defaultValue = "1",
              description = "How much capacity it takes (default: ${DEFAULT-VALUE}).")
          int weight) {
    WorkUnit unit = WorkUnit.of(name).withWeight(weight);
    change(group, units -> units.put(unit));
    spec.commandLine().getOut().printf("Added %s to group %s (weight %d).%n", name, group, weight);
    return ExitCodes.OK;
  }

  @Command(name = "remove", description = "Removes a unit.")
  int remove(
      @Parameters(index = "0", paramLabel = "GROUP", description = "The group.") String group,
      @Parameters(index = "1", paramLabel = "UNIT", description = "The unit's name.") String name) {
    change(group, units -> units.remove(name));
    spec.commandLine().getOut().printf("Removed %s from group %s.%n", name, group);
    return ExitCodes.OK;
  }

  @Command(
      name = "pin",
      description = {
        "Pins a unit to a member, or to the members with a tag. Refused, with nothing done, if no",
        "member that takes work could then run it (no such member now, or no room), unless --force."
      })
  int pin(
      @Parameters(index = "0", paramLabel = "GROUP", description = "The group.") String group,
      @Parameters(index = "1", paramLabel = "UNIT", description = "The unit's name.") String name,
      @Option(names = "--member", paramLabel = "ID", description = "Pin to this member.")
          String member,
      @Option(
              names = "--tag",
              paramLabel = "KEY=VALUE",
              description = "Pin to members with this tag.")
          String tag,
      @Option(
              names = "--force",
              description =
                  "Pin even if no member can run the unit now: it stays unassigned (and the"
                      + " monitor's unassigned-units alert fires) until one can.")
          boolean force) {
    if ((member == null) == (tag == null)) {
      throw new InvalidInputException("give exactly one of --member and --tag");
    }
    String target = member != null ? "member " + member : "tag " + tag;
    Placement.Effect effect;
    try (Pipekeeper pk = Connections.openToWrite(root.zookeeper)) {
      WorkUnits units = pk.workUnits(group);
      Placement placement = Placement.read(pk, group);
      effect = placement.unit(name, u -> member != null ? u.pinnedTo(member) : u.pinnedToTag(tag));
      if (units.get(name).isPresent()) { // else pin says the unit is not there
        placement.refuseStranding(
            effect,
            "pinning " + name + " to " + target,
            member != null
                ? "no member " + member + " of the group takes work with room for it"
                : "no member tagged " + tag + " takes work with room for it",
            force);
      }
      if (member != null) {
        units.pin(name, member);
      } else {
        units.pinToTag(name, tag);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Pinned %s of group %s to %s.%n", name, group, target);
    if (effect.stranded().contains(name)) {
      out.printf(
          "No member can run %s now: it is unassigned until a member of %s takes work with room"
              + " for it.%n",
          name, target);
    }
    return ExitCodes.OK;
  }

  @Command(name = "unpin", description = "Unpins a unit.")
  int unpin(
      @Parameters(index = "0", paramLabel = "GROUP", description = "The group.") String group,
      @Parameters(index = "1", paramLabel = "UNIT", description = "The unit's name.") String name) {
    change(group, units -> units.unpin(name));
    spec.commandLine().getOut().printf("Unpinned %s of group %s.%n", name, group);
    return ExitCodes.OK;
  }

  private void change(String group, Consumer<WorkUnits> change) {
    try (Pipekeeper pk = Connections.openToWrite(root.zookeeper)) {
      change.accept(pk.workUnits(group));
    }
  }
}
