package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.leader.RoleRetirement;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper leaders} and {@code pipekeeper leaders retire ROLE}. */
@Command(
    name = "leaders",
    description = {
      "Lists every role with its leader, fencing epoch, term age and contenders.",
      "A role whose last contender closed gracefully shows as retired (leaders retire ROLE"
          + " removes one)."
    },
    subcommands = LeadersCommand.Retire.class)
final class LeadersCommand implements Callable<Integer> {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    List<RoleInfo> roles;
    try (Pipekeeper pk = Connections.open(root.zookeeper)) {
      roles = pk.inspector().roles();
    }
    output.print(() -> roles, out -> print(roles, out));
    return ExitCodes.OK;
  }

  private static void print(List<RoleInfo> roles, PrintWriter out) {
    if (roles.isEmpty()) {
      out.println("No roles.");
      return;
    }
    Instant now = Instant.now();
    Table table = new Table("ROLE", "LEADER", "EPOCH", "AGE", "CONTENDERS");
    for (RoleInfo role : roles) {
      table.row(
          role.role(),
          role.leader()
              .orElse(
                  role.retiredAt()
                      .map(at -> "(retired " + Table.age(at, now) + " ago)")
                      .orElse("(none)")),
          role.problem().isPresent() ? "?" : role.epoch(),
          role.leaderSince().map(since -> Table.age(since, now)).orElse("-"),
          role.contenders().size());
    }
    table.print(out);
    for (RoleInfo role : roles) {
      role.problem().ifPresent(problem -> out.println("role " + role.role() + ": " + problem));
    }
  }

  /** {@code pipekeeper leaders retire ROLE}. */
  @Command(
      name = "retire",
      description = {
        "Retires a role that is no longer used: records that it ended on purpose (the monitor's",
        "no-leader rule then leaves it alone) and removes its nodes, so it no longer lists.",
        "Refused, with nothing done, while it has contenders, unless --force. A contender that",
        "comes later starts the role again, at the epoch after the one it ended at."
      })
  static final class Retire implements Callable<Integer> {
    @ParentCommand LeadersCommand leaders;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ROLE", description = "The role.")
    String role;

    @Option(
        names = "--force",
        description =
            "Retire it even though contenders are there: their latch nodes are removed (a live"
                + " contender contends again, and un-retires the role).")
    boolean force;

    @Mixin JsonOutput output;

    @Override
    public Integer call() {
      Names.check("role", role); // checked before connecting
      RoleRetirement retired;
      try (Pipekeeper pk = Connections.openToWrite(leaders.root.zookeeper)) {
        retired = pk.retireRole(role, force);
      }
      output.print(
          () -> retired,
          out -> {
            out.printf(
                "Retired role %s at epoch %d: its nodes are removed. A new contender starts it"
                    + " again at epoch %d.%n",
                retired.role(), retired.epoch(), retired.epoch() + 1);
            if (!retired.contenders().isEmpty()) {
              out.printf("Removed its contenders: %s.%n", String.join(", ", retired.contenders()));
            }
          });
      return ExitCodes.OK;
    }
  }
}
