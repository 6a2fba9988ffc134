package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config applied}: which configuration each member runs with. */
@Command(
    name = "applied",
    description = {
      "Shows which configuration each member has applied: the drift view.",
      "For each member with a live config view: the scope versions it applied (and the current"
          + " one where it is behind), the keys for which it keeps a last known good value over"
          + " an invalid stored one, and when it last applied a change."
    })
final class ConfigAppliedCommand implements Callable<Integer> {
  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    Map<String, AppliedConfig> applied;
    Map<String, Integer> current = new TreeMap<>();
    try (Pipekeeper pk = config.connect()) {
      Configuration configuration = pk.config();
      applied = configuration.applied();
      for (AppliedConfig member : applied.values()) {
        for (String scope : member.versions().keySet()) {
          if (!current.containsKey(scope)) {
            try {
              current.put(scope, configuration.version(Scope.parse(scope)));
            } catch (InvalidInputException malformed) {
              // not a scope this version knows: shown without its current version
            }
          }
        }
      }
    }
    output.print(() -> json(applied, current), out -> print(applied, current, out));
    return ExitCodes.OK;
  }

  private static List<Map<String, Object>> json(
      Map<String, AppliedConfig> applied, Map<String, Integer> current) {
    List<Map<String, Object>> members = new ArrayList<>();
    for (AppliedConfig member : applied.values()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      Map<String, Integer> now = new TreeMap<>();
      member.versions().keySet().forEach(s -> now.put(s, current.get(s)));
      entry.put("member", member.member());
      entry.put("versions", new TreeMap<>(member.versions()));
      entry.put("currentVersions", now);
      entry.put("behind", isBehind(member, current));
      entry.put("lastKnownGood", member.lastKnownGood());
      entry.put("at", member.at());
      members.add(entry);
    }
    return members;
  }

  private static void print(
      Map<String, AppliedConfig> applied, Map<String, Integer> current, PrintWriter out) {
    if (applied.isEmpty()) {
      out.println("No member has a live config view.");
      return;
    }
    Table table = new Table("MEMBER", "SCOPE VERSIONS", "LAST-KNOWN-GOOD KEYS", "AT");
    int behind = 0;
    for (AppliedConfig member : applied.values()) {
      List<String> versions = new ArrayList<>();
      new TreeMap<>(member.versions())
          .forEach(
              (scope, version) -> {
                Integer now = current.get(scope);
                versions.add(
                    scope
                        + "="
                        + version
                        + (now != null && now > version ? " (now " + now + ")" : ""));
              });
      behind += isBehind(member, current) ? 1 : 0;
      table.row(
          member.member(),
          String.join(", ", versions),
          member.lastKnownGood().isEmpty() ? "-" : String.join(", ", member.lastKnownGood()),
          ConfigText.when(member.at()));
    }
    table.print(out);
    if (behind > 0) {
      out.printf(
          "%d %s behind the current configuration.%n",
          behind, behind == 1 ? "member is" : "members are");
    }
  }

  private static boolean isBehind(AppliedConfig member, Map<String, Integer> current) {
    return member.versions().entrySet().stream()
        .anyMatch(e -> current.getOrDefault(e.getKey(), 0) > e.getValue());
  }
}
