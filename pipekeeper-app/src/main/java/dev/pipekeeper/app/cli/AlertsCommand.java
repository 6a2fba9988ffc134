package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleSet;
import dev.pipekeeper.core.monitor.Rules;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipekeeper alerts}: what the cluster's monitor keeps in ZooKeeper (the live alerts, the
 * recorded transitions) and the rules in force. It only reads; the alerts are as fresh as the
 * elected monitor keeps them, which is why the active view says whether one is running.
 */
@Command(
    name = "alerts",
    description = {
      "Shows the alerts the cluster's monitor keeps.",
      "The live ones (pending, firing, resolved within the flap window), --history for the"
          + " recorded transitions, or --rules for the rules in force."
    })
final class AlertsCommand implements Callable<Integer> {
  static final int DEFAULT_HISTORY = 50;

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Option(names = "--history", description = "The recorded transitions, oldest first.")
  boolean history;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "With --history: how many of the latest transitions (default: 50).")
  Integer limit;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      description = "Only alerts in this state: firing, pending or resolved.")
  String state;

  @Option(
      names = "--rules",
      description =
          "The rules in force: the defaults with those of "
              + Rules.KEY
              + " (which add to them, replace one by its name, or switch one off).")
  boolean rules;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    // Everything is checked before connecting.
    if (history && rules) {
      throw new InvalidInputException("--history and --rules cannot be used together");
    }
    if (limit != null && !history) {
      throw new InvalidInputException("--limit is for --history");
    }
    if (limit != null && limit < 1) {
      throw new InvalidInputException("--limit must be at least 1, not " + limit);
    }
    if (state != null && rules) {
      throw new InvalidInputException("--state is for alerts, not --rules");
    }
    Optional<AlertState> only = Optional.ofNullable(state).map(AlertsCommand::parseState);
    try (Pipekeeper pk = Connections.open(root.zookeeper)) {
      if (rules) {
        printRules(pk);
      } else if (history) {
        List<Alert> transitions =
            filter(pk.alerts().history(limit != null ? limit : DEFAULT_HISTORY), only);
        output.print(() -> Views.alerts(transitions), out -> printHistory(transitions, only, out));
      } else {
        List<Alert> active = filter(pk.alerts().active(), only);
        Optional<RoleInfo> leader = monitorLeader(pk);
        output.print(() -> Views.alerts(active), out -> printActive(active, only, leader, out));
      }
    }
    return ExitCodes.OK;
  }

  static AlertState parseState(String text) {
    for (AlertState s : AlertState.values()) {
      if (s.name().equalsIgnoreCase(text.trim())) {
        return s;
      }
    }
    throw new InvalidInputException(
        "--state must be firing, pending or resolved, not '" + text + "'");
  }

  private static List<Alert> filter(List<Alert> alerts, Optional<AlertState> only) {
    return only.isEmpty() ? alerts : alerts.stream().filter(a -> a.state() == only.get()).toList();
  }

  /** Who the elected monitor is, if any: without one, the stored alerts are not kept up to date. */
  private static Optional<RoleInfo> monitorLeader(Pipekeeper pk) {
    return pk.inspector().roles().stream()
        .filter(r -> r.role().equals(Monitor.ROLE) && r.leader().isPresent())
        .findFirst();
  }

  private static void printActive(
      List<Alert> active, Optional<AlertState> only, Optional<RoleInfo> leader, PrintWriter out) {
    List<Alert> sorted = new ArrayList<>(active);
    sorted.sort(
        Comparator.comparing((Alert a) -> rank(a.state()))
            .thenComparing(a -> a.severity() == null ? 0 : -a.severity().ordinal())
            .thenComparing(Alert::key));
    Instant now = Instant.now();
    if (sorted.isEmpty()) {
      out.println(
          only.map(s -> "No " + s.name().toLowerCase(Locale.ROOT) + " alerts.")
              .orElse("No alerts."));
    } else {
      Table table = new Table("KEY", "STATE", "SEVERITY", "SINCE", "SUMMARY");
      for (Alert a : sorted) {
        Instant since = since(a);
        table.row(
            a.key(),
            state(a) + (a.flapping() ? " (flapping)" : ""),
            a.severity() == null ? null : a.severity().label(),
            since == null ? null : Table.age(since, now) + " ago",
            a.summary());
      }
      table.print(out);
      out.println(counts(sorted));
    }
    out.println(
        leader
            .map(r -> "Monitor: " + r.leader().get() + " (epoch " + r.epoch() + ").")
            .orElse("No monitor is running: alerts are not being evaluated."));
  }

  private static void printHistory(
      List<Alert> transitions, Optional<AlertState> only, PrintWriter out) {
    if (transitions.isEmpty()) {
      out.println(
          only.map(s -> "No " + s.name().toLowerCase(Locale.ROOT) + " transitions recorded.")
              .orElse("No transitions recorded."));
      return;
    }
    Table table = new Table("TIME", "STATE", "KEY", "SUMMARY");
    for (Alert a : transitions) {
      table.row(ConfigText.when(since(a)), state(a), a.key(), a.summary());
    }
    table.print(out);
    out.println(transitions.size() + (transitions.size() == 1 ? " transition." : " transitions."));
  }

  /** The state, and for an alert ended by its rule going away, that it was no recovery. */
  private static String state(Alert a) {
    return a.ruleRemoved() ? a.state() + " (rule removed)" : String.valueOf(a.state());
  }

  private void printRules(Pipekeeper pk) {
    Optional<ConfigEntry> stored = pk.config().get(Scope.global(), Rules.KEY);
    RuleSet set;
    if (stored.isPresent()) {
      try {
        set = Rules.inForce(Optional.of(stored.get().value()));
      } catch (InvalidInputException e) {
        // Written behind Pipekeeper's back (the schema refuses it otherwise): the monitor keeps
        // the rules it had, which this command cannot know.
        throw new PipekeeperException(
            "the stored "
                + Rules.KEY
                + " (version "
                + stored.get().version()
                + ") is not valid, so the monitor keeps its previous rules: "
                + e.getMessage());
      }
    } else {
      set = Rules.inForce(Optional.empty());
    }
    output.print(() -> Views.rules(stored, set), out -> printRules(stored, set, out));
  }

  private static void printRules(Optional<ConfigEntry> stored, RuleSet set, PrintWriter out) {
    List<Rule> inForce = set.rules();
    Table table =
        new Table("NAME", "KIND", "SEVERITY", "FOR", "KEEP FIRING", "SUBJECT", "SETTINGS", "FROM");
    for (Rule r : inForce) {
      table.row(
          r.name(),
          r.kind().label(),
          r.severity().label(),
          Durations.format(r.forDuration()),
          Durations.format(r.keepFiringFor()),
          subject(r),
          settings(r),
          set.isDefault(r)
              ? "default"
              : set.replaced().contains(r.name())
                  ? Rules.KEY + " (replaces the default)"
                  : Rules.KEY);
    }
    table.print(out);
    int n = inForce.size();
    String count = n + (n == 1 ? " rule" : " rules");
    if (stored.isEmpty()) {
      out.println(Rules.KEY + " is unset: the " + count + " by default apply.");
      return;
    }
    ConfigEntry e = stored.get();
    long defaults = inForce.stream().filter(set::isDefault).count();
    out.println(
        count
            + " in force: "
            + defaults
            + " by default, "
            + (n - defaults)
            + " from "
            + Rules.KEY
            + " (version "
            + e.version()
            + ", modified "
            + ConfigText.when(e.modifiedAt())
            + ").");
    if (!set.disabled().isEmpty()) {
      out.println("Defaults switched off: " + String.join(", ", set.disabled()) + ".");
    }
  }

  private static int rank(AlertState s) {
    return s == AlertState.FIRING ? 0 : s == AlertState.PENDING ? 1 : 2;
  }

  /** When the alert entered its state. */
  private static Instant since(Alert a) {
    Instant at =
        switch (a.state() == null ? AlertState.PENDING : a.state()) {
          case FIRING -> a.firedAt();
          case RESOLVED -> a.resolvedAt();
          case PENDING -> a.pendingSince();
        };
    return at != null ? at : a.updatedAt();
  }

  /** E.g. {@code 2 firing, 1 pending.} */
  static String counts(List<Alert> alerts) {
    List<String> parts = new ArrayList<>();
    for (AlertState s : List.of(AlertState.FIRING, AlertState.PENDING, AlertState.RESOLVED)) {
      long n = alerts.stream().filter(a -> a.state() == s).count();
      if (n > 0) {
        parts.add(n + " " + s.name().toLowerCase(Locale.ROOT));
      }
    }
    return String.join(", ", parts) + ".";
  }

  /** The settings every rule has, shown in their own columns. */
  private static final Set<String> COMMON =
      Set.of("name", "kind", "severity", "for", "keepFiringFor");

  /** What the rule narrows to (its group or role), as its JSON form names it. */
  private static String subject(Rule r) {
    JsonNode form = Rules.toJson(List.of(r)).get(0);
    List<String> parts = new ArrayList<>();
    for (String field : List.of("group", "role")) {
      if (form.has(field)) {
        parts.add(field + " " + form.get(field).asText());
      }
    }
    return parts.isEmpty() ? "all" : String.join(", ", parts);
  }

  /** Its kind's other settings not at their defaults, {@code name=value} as in its JSON form. */
  private static String settings(Rule r) {
    JsonNode form = Rules.toJson(List.of(r)).get(0);
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> f : form.properties()) {
      String field = f.getKey();
      if (!COMMON.contains(field) && !field.equals("group") && !field.equals("role")) {
        JsonNode v = f.getValue();
        parts.add(field + "=" + (v.isNumber() ? number(v.asDouble()) : v.asText()));
      }
    }
    return parts.isEmpty() ? null : String.join(" ", parts);
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
