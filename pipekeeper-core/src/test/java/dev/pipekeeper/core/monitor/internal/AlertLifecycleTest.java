package dev.pipekeeper.core.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Resolution;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How an alert ends: its condition gone (a recovery) or its rule gone (not one). */
class AlertLifecycleTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration FLAP = Duration.ofMinutes(10);
  private static final Rule DOWN = Rule.of("member-down", new Rule.MemberDown());
  private static final Rule OTHER = Rule.of("small", new Rule.GroupSize("g", 2));
  private static final Condition DEAD =
      new Condition("member-down/g/m2", Map.of("group", "g", "member", "m2"), "m2 left");

  private static Map<String, Alert> firing() {
    Step step =
        AlertLifecycle.step(
            Map.of(), List.of(RuleResult.of(DOWN, List.of(DEAD))), Set.of("log"), FLAP, 1, T0);
    assertThat(step.alerts().get(DEAD.key()).state()).isEqualTo(AlertState.FIRING);
    return step.alerts();
  }

  @Test
  void aFiringAlertWhoseConditionGoesResolvesAsARecovery() {
    Step step =
        AlertLifecycle.step(
            firing(),
            List.of(RuleResult.of(DOWN, List.of())),
            Set.of("log"),
            FLAP,
            1,
            T0.plusSeconds(5));
    Alert resolved = step.alerts().get(DEAD.key());
    assertThat(resolved.state()).isEqualTo(AlertState.RESOLVED);
    assertThat(resolved.resolution()).isEqualTo(Resolution.RECOVERED);
    assertThat(resolved.ruleRemoved()).isFalse();
    assertThat(step.transitions()).containsExactly(resolved);
  }

  @Test
  void aFiringAlertWhoseRuleIsGoneEndsSayingSoNotAsARecovery() {
    Step step =
        AlertLifecycle.step(
            firing(),
            List.of(RuleResult.of(OTHER, List.of())),
            Set.of("log"),
            FLAP,
            1,
            T0.plusSeconds(5));
    Alert ended = step.alerts().get(DEAD.key());
    assertThat(ended.state()).isEqualTo(AlertState.RESOLVED);
    assertThat(ended.resolution()).isEqualTo(Resolution.RULE_REMOVED);
    assertThat(ended.ruleRemoved()).isTrue();
    assertThat(ended.resolvedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(step.transitions()).containsExactly(ended);
    assertThat(step.written()).contains(ended);
    // and it stays that way, then goes like any resolved alert
    Step later =
        AlertLifecycle.step(
            step.alerts(),
            List.of(RuleResult.of(OTHER, List.of())),
            Set.of("log"),
            FLAP,
            1,
            T0.plusSeconds(10));
    assertThat(later.alerts().get(DEAD.key()).resolution()).isEqualTo(Resolution.RULE_REMOVED);
    assertThat(later.transitions()).isEmpty();
  }

  @Test
  void anAlertWhoseRuleStaysIsNotEndedByAnotherRuleComingOrGoing() {
    Step step =
        AlertLifecycle.step(
            firing(),
            List.of(RuleResult.of(DOWN, List.of(DEAD)), RuleResult.of(OTHER, List.of())),
            Set.of("log"),
            FLAP,
            1,
            T0.plusSeconds(5));
    assertThat(step.alerts().get(DEAD.key()).state()).isEqualTo(AlertState.FIRING);
    assertThat(step.transitions()).isEmpty();
  }
}
