package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.Pipekeeper;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper drain GROUP MEMBER} and {@code pipekeeper undrain GROUP MEMBER}. */
final class DrainCommand {
  private DrainCommand() {}

  @Command(
      name = "drain",
      description = {
        "Drains a member of a group: it stays up and gets no work.",
        "Its work units move to other members (for maintenance). The drain lasts until undrain,"
            + " also across restarts of the member. Refused, with nothing done, if units would"
            + " have no member left to run them (the last member that takes work, or pins),"
            + " unless --force."
      })
  static final class Drain implements Callable<Integer> {
    @ParentCommand PipekeeperCommand root;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Parameters(index = "1", paramLabel = "MEMBER", description = "The member's id.")
    String member;

    @Option(
        names = "--force",
        description =
            "Drain even if some units would have no member to run them: they stay unassigned"
                + " (and the monitor's unassigned-units alert fires) until a member can take them.")
    boolean force;

    @Override
    public Integer call() {
      Names.check("member id", member);
      boolean present;
      Placement.Effect effect;
      try (Pipekeeper pk = Connections.openToWrite(root.zookeeper)) {
        Placement placement = Placement.read(pk, group);
        effect = placement.drain(member);
        List<String> others = placement.takingWorkWithout(member);
        placement.refuseStranding(
            effect,
            "draining " + member,
            others.isEmpty()
                ? "no other member of the group takes work"
                : "the other members that take work ("
                    + String.join(", ", others)
                    + ") cannot take them (pins or capacity)",
            force);
        pk.assignments(group).drain(member);
        present = pk.membership().members(group).stream().anyMatch(m -> m.id().equals(member));
      }
      PrintWriter out = spec.commandLine().getOut();
      Map<String, String> moved = effect.movedFrom(member);
      if (!moved.isEmpty()) {
        out.printf(
            "Drained member %s of group %s: %s move to other members (%s).%n",
            member,
            group,
            moved.size() == 1 ? "its unit" : "its " + moved.size() + " units",
            String.join(
                ", ",
                moved.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).toList()));
      } else {
        out.printf("Drained member %s of group %s.%n", member, group);
      }
      if (!effect.stranded().isEmpty()) {
        out.printf(
            "%s left with no member to run them (%s): unassigned until a member can take them.%n",
            Placement.units(effect.stranded()) + (effect.stranded().size() == 1 ? " is" : " are"),
            String.join(", ", effect.stranded()));
      }
      if (!present) {
        out.printf("Member %s is not in the group now; the drain applies when it joins.%n", member);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "undrain", description = "Ends the drain of a member: it gets work again.")
  static final class Undrain implements Callable<Integer> {
    @ParentCommand PipekeeperCommand root;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Parameters(index = "1", paramLabel = "MEMBER", description = "The member's id.")
    String member;

    @Override
    public Integer call() {
      try (Pipekeeper pk = Connections.openToWrite(root.zookeeper)) {
        pk.assignments(group).undrain(member);
      }
      spec.commandLine()
          .getOut()
          .printf("Undrained member %s of group %s: it gets work again.%n", member, group);
      return ExitCodes.OK;
    }
  }
}
