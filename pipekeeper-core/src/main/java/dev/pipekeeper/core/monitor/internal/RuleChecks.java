package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.Rule.Watch;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.util.HashMap;
import java.util.Map;

/**
 * Each kind's check, by the type of its {@link Watch}: the one place a rule is dispatched on its
 * kind. The rule families ({@link MembershipRules}, {@link OffsetRules}, {@link HealthRules},
 * {@link SystemRules}) add their kinds' checks; {@link #complete()} refuses a table that misses a
 * kind, so a new kind without a check fails when the first monitor starts, not at its first
 * evaluation.
 */
final class RuleChecks {

  /**
   * How the rules of one kind find their conditions.
   *
   * <p>{@code departed}: the members that left their group without draining, group → member id →
   * how it left.
   */
  @FunctionalInterface
  interface Check<W extends Watch> {
    RuleResult evaluate(
        Rule rule, W watch, MonitorInputs in, Map<String, Map<String, Rosters.Departure>> departed);
  }

  private record Entry<W extends Watch>(Class<W> type, Check<W> check) {
    RuleResult evaluate(
        Rule rule, MonitorInputs in, Map<String, Map<String, Rosters.Departure>> departed) {
      return check.evaluate(rule, type.cast(rule.watch()), in, departed);
    }
  }

  private final Map<Class<?>, Entry<?>> entries = new HashMap<>();

  /**
   * Adds the check of the kind whose watch is {@code type}.
   *
   * @throws IllegalStateException if that kind has a check already
   */
  <W extends Watch> RuleChecks on(Class<W> type, Check<W> check) {
    if (entries.putIfAbsent(type, new Entry<>(type, check)) != null) {
      throw new IllegalStateException("two checks for " + type.getSimpleName());
    }
    return this;
  }

  /**
   * This table, once every kind has its check.
   *
   * @throws IllegalStateException naming a kind without one
   */
  RuleChecks complete() {
    for (Class<?> kind : Watch.class.getPermittedSubclasses()) {
      if (!entries.containsKey(kind)) {
        throw new IllegalStateException("no check for the rule kind " + kind.getSimpleName());
      }
    }
    return this;
  }

  /** What {@code rule} finds in {@code in}. */
  RuleResult evaluate(
      Rule rule, MonitorInputs in, Map<String, Map<String, Rosters.Departure>> departed) {
    return entries.get(rule.watch().getClass()).evaluate(rule, in, departed);
  }
}
