package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one evaluation's inputs into each rule's conditions: each rule goes to its kind's check in
 * {@link RuleChecks}, which the rule families fill ({@link MembershipRules}, {@link OffsetRules},
 * {@link HealthRules}, {@link SystemRules}). One evaluator lives as long as a monitor's term: the
 * offset rules keep the consumer groups' offsets over their windows in it.
 */
final class RuleEvaluator {
  private final OffsetRules offsets = new OffsetRules();
  private final RuleChecks checks = new RuleChecks();

  RuleEvaluator() {
    MembershipRules.addTo(checks);
    offsets.addTo(checks);
    HealthRules.addTo(checks);
    SystemRules.addTo(checks);
    checks.complete();
  }

  /** The consumer groups whose offsets {@code rules} need, of those {@code known}. */
  static Set<String> offsetGroups(List<Rule> rules, Set<String> known) {
    return OffsetRules.offsetGroups(rules, known);
  }

  /** Whether rules of {@code kind} need the probes' consumer offsets. */
  static boolean needsOffsets(RuleKind kind) {
    return OffsetRules.needsOffsets(kind);
  }

  List<RuleResult> evaluate(
      List<Rule> rules, MonitorInputs in, Map<String, Map<String, Rosters.Departure>> departed) {
    offsets.remember(rules, in);
    List<RuleResult> results = new ArrayList<>();
    for (Rule rule : rules) {
      results.add(checks.evaluate(rule, in, departed));
    }
    return results;
  }
}
