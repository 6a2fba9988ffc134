package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthReport;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Comparator;
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

/** {@code pipekeeper health [GROUP]}. */
@Command(
    name = "health",
    description = {
      "Shows the health records members publish.",
      "State, records/s in and out, errors, lag, last progress and applied configuration, of a"
          + " group or of every group."
    })
final class HealthCommand implements Callable<Integer> {
  private static final Comparator<String> BROADEST_SCOPE_FIRST =
      Comparator.comparingInt(HealthCommand::kindOrder).thenComparing(Comparator.naturalOrder());

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "GROUP", description = "Only this group.")
  String group;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    Map<String, List<HealthReport>> byGroup =
        Connections.perGroup(
            root.zookeeper, group, pk -> pk.health().groups(), (pk, g) -> pk.health().reports(g));
    output.print(() -> byGroup, out -> print(byGroup, out));
    return ExitCodes.OK;
  }

  private void print(Map<String, List<HealthReport>> byGroup, PrintWriter out) {
    Instant now = Instant.now();
    Table table =
        new Table(
            "GROUP",
            "MEMBER",
            "STATE",
            "IN/S",
            "OUT/S",
            "ERRORS",
            "LAG",
            "PROGRESS",
            "CONFIG",
            "REPORTED");
    byGroup.forEach(
        (g, reports) -> {
          for (HealthReport r : reports) {
            table.row(
                g,
                r.member(),
                r.state(),
                String.format("%.1f", r.recordsInPerSecond()),
                String.format("%.1f", r.recordsOutPerSecond()),
                r.errors()
                    + (r.errorsPerSecond() > 0
                        ? String.format(" (%.1f/s)", r.errorsPerSecond())
                        : ""),
                r.lag().isEmpty() ? "-" : r.totalLag(),
                r.lastProgress() == null ? "never" : Table.age(r.lastProgress(), now) + " ago",
                config(r),
                Table.age(r.at(), now) + " ago");
          }
        });
    if (table.isEmpty()) {
      out.println(
          group != null ? "No health records in group " + group + "." : "No health records.");
    } else {
      table.print(out);
    }
  }

  /**
   * The applied versions, broadest scope first (global, pipelines, members, each by name; a scope
   * of another tool's making last), and the keys on a last-known-good value if any.
   */
  private static String config(HealthReport r) {
    String versions =
        r.appliedConfig().isEmpty()
            ? "-"
            : r.appliedConfig().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(BROADEST_SCOPE_FIRST))
                .map(e -> e.getKey() + "@" + e.getValue())
                .collect(Collectors.joining(","));
    return r.lastKnownGood().isEmpty()
        ? versions
        : versions + " (last good: " + String.join(",", r.lastKnownGood()) + ")";
  }

  private static int kindOrder(String scope) {
    try {
      return Scope.parse(scope).kind().ordinal();
    } catch (InvalidInputException foreign) {
      return Scope.Kind.values().length;
    }
  }
}
