package dev.pipekeeper.core.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Step;
import dev.pipekeeper.embedded.junit.Seeds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded random histories of conditions coming and going (and rules being unknown), stepped through
 * the lifecycle; the seed is printed on failure.
 */
class AlertLifecyclePropertyTest {
  private static final Set<String> SINKS = Set.of("log", "hook");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void alertsFireAndResolveOnlyAsTheirRulesSay() {
    long seed = Seeds.seed("property.seed", "AlertLifecyclePropertyTest");
    Random random = new Random(seed);
    for (int round = 0; round < 400; round++) {
      try {
        oneHistory(random);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ", round " + round + ": " + e.getMessage(), e);
      }
    }
  }

  private static void oneHistory(Random random) {
    Duration interval = Duration.ofMillis(100 + random.nextInt(900));
    Rule rule =
        Rule.of("r", new Rule.GroupSize("g", 1))
            .withFor(Duration.ofMillis(random.nextInt(4) * interval.toMillis()))
            .withKeepFiringFor(Duration.ofMillis(random.nextInt(3) * interval.toMillis()));
    Duration flapWindow = Duration.ofMillis(random.nextInt(6) * interval.toMillis());
    List<String> keys = List.of("r/a", "r/b", "r/c");
    Map<String, Alert> alerts = new TreeMap<>();
    Map<String, Instant> presentSince = new HashMap<>();
    Map<String, Instant> absentSince = new HashMap<>();
    Map<String, List<AlertState>> transitions = new HashMap<>();
    Instant now = T0;
    for (int tick = 0; tick < 60; tick++) {
      now = now.plus(interval);
      boolean unknown = random.nextInt(10) == 0;
      List<Condition> present = new ArrayList<>();
      for (String key : keys) {
        if (random.nextInt(3) != 0 == (random.nextInt(4) != 0)) {
          present.add(new Condition(key, Map.of("k", key), "cond " + key));
        }
      }
      RuleResult result = unknown ? RuleResult.unknown(rule) : RuleResult.of(rule, present);
      Map<String, Alert> before = alerts;
      Step step = AlertLifecycle.step(before, List.of(result), SINKS, flapWindow, 7, now);
      if (unknown) {
        assertThat(step.written()).isEmpty();
        assertThat(step.removed()).isEmpty();
        assertThat(step.alerts()).isEqualTo(before);
        continue;
      }
      for (String key : keys) {
        boolean on = present.stream().anyMatch(c -> c.key().equals(key));
        if (on) {
          presentSince.putIfAbsent(key, now);
          absentSince.remove(key);
        } else {
          absentSince.putIfAbsent(key, now);
          presentSince.remove(key);
        }
      }
      for (Alert t : step.transitions()) {
        List<AlertState> seen = transitions.computeIfAbsent(t.key(), k -> new ArrayList<>());
        AlertState previous = seen.isEmpty() ? AlertState.RESOLVED : seen.get(seen.size() - 1);
        assertThat(t.state()).as("transitions alternate for " + t.key()).isNotEqualTo(previous);
        seen.add(t.state());
        if (t.state() == AlertState.FIRING) {
          assertThat(presentSince.get(t.key())).as("fires only while present").isNotNull();
          assertThat(Duration.between(presentSince.get(t.key()), now))
              .as("held for its for")
              .isGreaterThanOrEqualTo(rule.forDuration());
          assertThat(t.firedAt()).isEqualTo(now);
        } else {
          assertThat(absentSince.get(t.key())).as("resolves only while absent").isNotNull();
          assertThat(Duration.between(absentSince.get(t.key()), now))
              .as("gone for its keepFiringFor")
              .isGreaterThanOrEqualTo(rule.keepFiringFor());
        }
      }
      for (Alert a : step.alerts().values()) {
        boolean on = presentSince.containsKey(a.key());
        if (a.state() == AlertState.PENDING) {
          assertThat(on).as("pending only while present").isTrue();
          assertThat(AlertLifecycle.due(a, "log")).isFalse();
        }
        if (a.state() == AlertState.FIRING && !on) {
          assertThat(a.clearingSince()).isNotNull();
        }
        if (on && a.state() != AlertState.FIRING) {
          assertThat(Duration.between(presentSince.get(a.key()), now))
              .as("present for its for and not firing")
              .isLessThan(rule.forDuration());
        }
      }
      for (String key : keys) {
        boolean on = presentSince.containsKey(key);
        if (on && !step.alerts().containsKey(key)) {
          throw new AssertionError("a present condition has no alert: " + key);
        }
      }
      // the sinks confirm what was due, as a monitor's deliveries would
      Map<String, Alert> confirmed = new TreeMap<>(step.alerts());
      for (Alert a : step.alerts().values()) {
        for (String sink : SINKS) {
          if (AlertLifecycle.due(a, sink) && random.nextBoolean()) {
            confirmed.put(
                a.key(), AlertLifecycle.notified(confirmed.get(a.key()), sink, a.state(), now));
          }
        }
      }
      alerts = confirmed;
    }
  }

  @Test
  void anAlertOfARuleThatIsGoneResolves() {
    Rule rule = Rule.of("r", new Rule.GroupSize("g", 1));
    Step fired =
        AlertLifecycle.step(
            Map.of(),
            List.of(RuleResult.of(rule, List.of(new Condition("r/a", Map.of(), "x")))),
            SINKS,
            Duration.ZERO,
            1,
            T0);
    assertThat(fired.alerts().get("r/a").state()).isEqualTo(AlertState.FIRING);
    Step after =
        AlertLifecycle.step(fired.alerts(), List.of(), SINKS, Duration.ZERO, 1, T0.plusSeconds(1));
    assertThat(after.transitions()).extracting(Alert::state).containsExactly(AlertState.RESOLVED);
  }

  @Test
  void aFlappingAlertHoldsItsNotificationsUntilItIsSteady() {
    Rule rule = Rule.of("r", new Rule.GroupSize("g", 1));
    Duration window = Duration.ofMinutes(1);
    Map<String, Alert> alerts = Map.of();
    Instant now = T0;
    for (int i = 0; i < AlertLifecycle.FLAPPING_FIRINGS; i++) {
      now = now.plusSeconds(1);
      alerts = step(alerts, rule, true, window, now).alerts();
      now = now.plusSeconds(1);
      alerts = step(alerts, rule, false, window, now).alerts();
    }
    now = now.plusSeconds(1);
    Alert flapping = step(alerts, rule, true, window, now).alerts().get("r/a");
    assertThat(flapping.flapping()).isTrue();
    assertThat(AlertLifecycle.due(flapping, "log")).isFalse();
    Alert steady =
        step(Map.of("r/a", flapping), rule, true, window, now.plus(window)).alerts().get("r/a");
    assertThat(steady.flapping()).isFalse();
    assertThat(steady.state()).isEqualTo(AlertState.FIRING);
    assertThat(AlertLifecycle.due(steady, "log")).isTrue();
  }

  private static Step step(
      Map<String, Alert> alerts, Rule rule, boolean present, Duration window, Instant now) {
    List<Condition> conditions = present ? List.of(new Condition("r/a", Map.of(), "x")) : List.of();
    return AlertLifecycle.step(
        alerts, List.of(RuleResult.of(rule, conditions)), SINKS, window, 1, now);
  }
}
