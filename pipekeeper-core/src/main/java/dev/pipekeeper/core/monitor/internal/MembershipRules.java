package dev.pipekeeper.core.monitor.internal;

import static dev.pipekeeper.core.monitor.internal.Conditions.covers;
import static dev.pipekeeper.core.monitor.internal.Conditions.key;
import static dev.pipekeeper.core.monitor.internal.Conditions.labels;

import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules about groups, roles and members as ZooKeeper has them: {@code member-down}, {@code
 * group-size}, {@code no-leader}, {@code config-drift} and {@code unassigned-units}.
 */
final class MembershipRules {
  private MembershipRules() {}

  static void addTo(RuleChecks checks) {
    checks
        .on(Rule.MemberDown.class, MembershipRules::memberDown)
        .on(Rule.GroupSize.class, (rule, watch, in, departed) -> groupSize(rule, watch, in))
        .on(Rule.NoLeader.class, (rule, watch, in, departed) -> noLeader(rule, watch, in))
        .on(Rule.ConfigDrift.class, (rule, watch, in, departed) -> configDrift(rule, watch, in))
        .on(
            Rule.UnassignedUnits.class,
            (rule, watch, in, departed) -> unassignedUnits(rule, watch, in));
  }

  private static RuleResult memberDown(
      Rule rule,
      Rule.MemberDown watch,
      MonitorInputs in,
      Map<String, Map<String, Rosters.Departure>> departed) {
    List<Condition> found = new ArrayList<>();
    departed.forEach(
        (group, members) -> {
          if (covers(watch.group(), group)) {
            members.forEach(
                (id, d) ->
                    found.add(
                        new Condition(
                            key(rule, group, id),
                            labels("group", group, "member", id),
                            "member "
                                + id
                                + " of "
                                + group
                                + " left without draining (was "
                                + d.lastState()
                                + ", "
                                + in.members().getOrDefault(group, Map.of()).size()
                                + " of "
                                + d.groupSize()
                                + " members left)")));
          }
        });
    return RuleResult.of(rule, found);
  }

  private static RuleResult groupSize(Rule rule, Rule.GroupSize watch, MonitorInputs in) {
    String group = watch.group();
    int size = in.members().getOrDefault(group, Map.of()).size();
    int min = watch.min();
    if (size >= min) {
      return RuleResult.of(rule, List.of());
    }
    return RuleResult.of(
        rule,
        List.of(
            new Condition(
                key(rule, group),
                labels("group", group),
                "group "
                    + group
                    + " has "
                    + size
                    + (size == 1 ? " member" : " members")
                    + ", fewer than "
                    + min)));
  }

  private static RuleResult noLeader(Rule rule, Rule.NoLeader watch, MonitorInputs in) {
    List<Condition> found = new ArrayList<>();
    in.roles()
        .forEach(
            (role, state) -> {
              // a role retired on purpose has no leader by design; a rule naming it still asks
              boolean covered =
                  watch.role().map(role::equals).orElse(state.epoch() > 0 && !state.retired());
              if (covered && state.contenders() == 0) {
                found.add(
                    new Condition(
                        key(rule, role),
                        labels("role", role),
                        "role "
                            + role
                            + " has no leader"
                            + (state.epoch() > 0 ? " (last epoch " + state.epoch() + ")" : "")));
              }
            });
    if (watch.role().isPresent() && !in.roles().containsKey(watch.role().get())) {
      String role = watch.role().get();
      found.add(
          new Condition(
              key(rule, role), labels("role", role), "role " + role + " has never had a leader"));
    }
    return RuleResult.of(rule, found);
  }

  private static RuleResult configDrift(Rule rule, Rule.ConfigDrift watch, MonitorInputs in) {
    Map<String, String> groupOf = new HashMap<>();
    in.members()
        .forEach((group, members) -> members.keySet().forEach(id -> groupOf.put(id, group)));
    List<Condition> found = new ArrayList<>();
    in.applied()
        .forEach(
            (member, applied) -> {
              String group = groupOf.get(member);
              if (watch.group().isPresent() && !watch.group().get().equals(group)) {
                return;
              }
              List<String> behind = new ArrayList<>();
              applied
                  .versions()
                  .forEach(
                      (scope, version) -> {
                        Integer current = in.scopeVersions().get(scope);
                        if (current != null && version < current) {
                          behind.add(scope + " " + version + " < " + current);
                        }
                      });
              Map<String, String> labels =
                  group == null
                      ? labels("member", member)
                      : labels("group", group, "member", member);
              if (!behind.isEmpty()) {
                found.add(
                    new Condition(
                        key(rule, member, "behind"),
                        labels,
                        "member "
                            + member
                            + " runs an older configuration: "
                            + String.join(", ", behind)));
              }
              if (!applied.lastKnownGood().isEmpty()) {
                found.add(
                    new Condition(
                        key(rule, member, "last-known-good"),
                        labels,
                        "member "
                            + member
                            + " keeps last good values for invalid stored keys: "
                            + String.join(", ", applied.lastKnownGood())));
              }
            });
    return RuleResult.of(rule, found);
  }

  /** At most this many unit names in a summary; the count says how many more. */
  private static final int NAMES_SHOWN = 10;

  private static RuleResult unassignedUnits(
      Rule rule, Rule.UnassignedUnits watch, MonitorInputs in) {
    List<Condition> found = new ArrayList<>();
    in.work()
        .forEach(
            (group, work) -> {
              List<String> units = work.unassigned();
              if (!covers(watch.group(), group) || units.isEmpty()) {
                return;
              }
              String names =
                  String.join(", ", units.subList(0, Math.min(NAMES_SHOWN, units.size())));
              if (units.size() > NAMES_SHOWN) {
                names += " and " + (units.size() - NAMES_SHOWN) + " more";
              }
              found.add(
                  new Condition(
                      key(rule, group),
                      labels("group", group),
                      units.size()
                          + " of "
                          + work.units()
                          + (work.units() == 1 ? " work unit" : " work units")
                          + " of "
                          + group
                          + " assigned to no member (none can take them: drained, pinned elsewhere"
                          + " or full): "
                          + names));
            });
    return RuleResult.of(rule, found);
  }
}
