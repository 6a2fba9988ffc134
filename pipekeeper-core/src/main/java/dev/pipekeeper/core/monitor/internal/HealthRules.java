package dev.pipekeeper.core.monitor.internal;

import static dev.pipekeeper.core.monitor.internal.Conditions.covers;
import static dev.pipekeeper.core.monitor.internal.Conditions.key;
import static dev.pipekeeper.core.monitor.internal.Conditions.labels;

import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The rules about each member's health record: {@code error-rate} and {@code no-progress}. */
final class HealthRules {
  private HealthRules() {}

  static void addTo(RuleChecks checks) {
    checks
        .on(
            Rule.ErrorRate.class,
            (rule, watch, in, departed) ->
                perMember(rule, watch.group(), in, (r, m) -> errorRate(watch, r)))
        .on(
            Rule.NoProgress.class,
            (rule, watch, in, departed) ->
                perMember(rule, watch.group(), in, (r, m) -> noProgress(watch, r, m, in.now())));
  }

  @FunctionalInterface
  private interface MemberCheck {
    Optional<String> check(HealthReport report, MemberRecord member);
  }

  private static RuleResult perMember(
      Rule rule, Optional<String> group, MonitorInputs in, MemberCheck check) {
    List<Condition> found = new ArrayList<>();
    in.health()
        .forEach(
            (g, reports) -> {
              if (!covers(group, g)) {
                return;
              }
              reports.forEach(
                  (id, report) ->
                      check
                          .check(report, in.members().getOrDefault(g, Map.of()).get(id))
                          .ifPresent(
                              summary ->
                                  found.add(
                                      new Condition(
                                          key(rule, g, id),
                                          labels("group", g, "member", id),
                                          summary))));
            });
    return RuleResult.of(rule, found);
  }

  private static Optional<String> errorRate(Rule.ErrorRate watch, HealthReport r) {
    double threshold = watch.threshold();
    if (r.errorsPerSecond() <= threshold) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "member %s of %s has %.2f errors/s (threshold %s; %d in all)",
            r.member(), r.group(), r.errorsPerSecond(), trim(threshold), r.errors()));
  }

  private static Optional<String> noProgress(
      Rule.NoProgress watch, HealthReport r, MemberRecord member, Instant now) {
    if (r.totalLag() <= 0) {
      return Optional.empty();
    }
    Instant since =
        r.lastProgress() != null ? r.lastProgress() : member != null ? member.startedAt() : null;
    Duration limit = watch.after();
    if (since == null || Duration.between(since, now).compareTo(limit) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        "member "
            + r.member()
            + " of "
            + r.group()
            + " ("
            + r.state()
            + ") processed nothing for "
            + Duration.between(since, now).toSeconds()
            + " s with "
            + r.totalLag()
            + " records pending");
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
