package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.coordination.RoleInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper leaders}. */
@Command(
    name = "leaders",
    description = "Lists every role with its leader, fencing epoch, term age and contenders.")
final class LeadersCommand implements Callable<Integer> {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the roles as JSON.")
  boolean json;

  @Override
  public Integer call() {
    List<RoleInfo> roles;
    try (Pipekeeper pk = Connections.open(root)) {
      roles = pk.inspector().roles();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(roles));
      return ExitCodes.OK;
    }
    if (roles.isEmpty()) {
      out.println("No roles.");
      return ExitCodes.OK;
    }
    Instant now = Instant.now();
    Table table = new Table("ROLE", "LEADER", "EPOCH", "AGE", "CONTENDERS");
    for (RoleInfo role : roles) {
      table.row(
          role.role(),
          role.leader().orElse("(none)"),
          role.epoch(),
          role.leaderSince().map(since -> Table.age(since, now)).orElse("-"),
          role.contenders().size());
    }
    table.print(out);
    return ExitCodes.OK;
  }
}
