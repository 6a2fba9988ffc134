package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper members [GROUP]}. */
@Command(
    name = "members",
    description = "Lists the live members of a group, or of every group, with their metadata.")
final class MembersCommand implements Callable<Integer> {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "GROUP", description = "Only this group.")
  String group;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    Map<String, List<MemberRecord>> byGroup =
        Connections.perGroup(
            root.zookeeper,
            group,
            pk -> pk.inspector().groups(),
            (pk, g) -> pk.inspector().members(g));
    output.print(() -> byGroup, out -> print(byGroup, out));
    return ExitCodes.OK;
  }

  private void print(Map<String, List<MemberRecord>> byGroup, PrintWriter out) {
    Instant now = Instant.now();
    Table table =
        new Table("GROUP", "MEMBER", "STATE", "HOST", "PID", "VERSION", "CAPACITY", "TAGS", "AGE");
    List<String> empty = new ArrayList<>();
    byGroup.forEach(
        (g, members) -> {
          if (members.isEmpty()) {
            empty.add(g);
          }
          for (MemberRecord m : members) {
            table.row(
                g,
                m.id(),
                m.state(),
                m.host(),
                m.pid(),
                m.version(),
                m.capacity() == MemberInfo.UNBOUNDED ? "unbounded" : m.capacity(),
                m.tags().isEmpty()
                    ? "-"
                    : m.tags().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",")),
                m.startedAt() == null ? "-" : Table.age(m.startedAt(), now));
          }
        });
    if (table.isEmpty()) {
      out.println(group != null ? "No live members in group " + group + "." : "No groups.");
    } else {
      table.print(out);
    }
  }
}
