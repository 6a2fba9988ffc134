package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
            + " also across restarts of the member."
      })
  static final class Drain implements Callable<Integer> {
    @ParentCommand PipekeeperCommand root;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Parameters(index = "1", paramLabel = "MEMBER", description = "The member's id.")
    String member;

    @Override
    public Integer call() {
      boolean present;
      try (Pipekeeper pk = Connections.open(root)) {
        pk.assignments(group).drain(member);
        present = pk.membership().members(group).stream().anyMatch(m -> m.id().equals(member));
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "Drained member %s of group %s: its units move to other members.%n", member, group);
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
      try (Pipekeeper pk = Connections.open(root)) {
        pk.assignments(group).undrain(member);
      }
      spec.commandLine()
          .getOut()
          .printf("Undrained member %s of group %s: it gets work again.%n", member, group);
      return ExitCodes.OK;
    }
  }
}
