package dev.pipekeeper.core.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.core.monitor.RulesTest;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The table that sends each rule to its kind's check, and the checks the families add. */
class RuleChecksTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aTableWithoutAKindOrWithAKindTwiceIsRefused() {
    RuleChecks partial = new RuleChecks();
    MembershipRules.addTo(partial);
    assertThatThrownBy(partial::complete)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no check for the rule kind");
    assertThatThrownBy(() -> MembershipRules.addTo(partial))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("two checks for MemberDown");
  }

  @Test
  void everyKindHasItsCheckAndRunsOnEmptyInputs() {
    RuleEvaluator evaluator = new RuleEvaluator();
    List<Rule> rules = new ArrayList<>(Rules.defaults());
    Random random = new Random(16); // seeded: random rules until every kind is there once
    while (rules.stream().map(Rule::kind).distinct().count() < RuleKind.values().length) {
      for (Rule r : RulesTest.randomRules(random)) {
        if (rules.stream().noneMatch(known -> known.kind() == r.kind())) {
          rules.add(r);
        }
      }
    }
    List<RuleResult> results = evaluator.evaluate(rules, inputs(Map.of()), Map.of());
    assertThat(results).extracting(RuleResult::rule).isEqualTo(rules);
  }

  @Test
  void theKafkaRuleReadsTheReportOfTheProbeNamedKafka() {
    Rule kafka = Rule.of("kafka", new Rule.Kafka());
    RuleEvaluator evaluator = new RuleEvaluator();
    assertThat(evaluator.evaluate(List.of(kafka), inputs(Map.of()), Map.of()).get(0).known())
        .isFalse();
    ProbeReport other = ProbeReport.unreachable("other", "down", NOW);
    assertThat(
            evaluator
                .evaluate(List.of(kafka), inputs(Map.of("other", other)), Map.of())
                .get(0)
                .known())
        .isFalse();
    ProbeReport down = ProbeReport.unreachable(Rule.Kafka.PROBE, "timed out", NOW);
    RuleResult result =
        evaluator.evaluate(List.of(kafka), inputs(Map.of(Rule.Kafka.PROBE, down)), Map.of()).get(0);
    assertThat(result.conditions())
        .containsExactly(
            new Condition(
                "kafka/kafka", Map.of("system", "kafka"), "Kafka is unreachable: timed out"));
  }

  @Test
  void aKafkaThatAnswersButRefusesTheProbeAGroupIsNotUnreachable() {
    Rule kafka = Rule.of("kafka", new Rule.Kafka());
    ProbeReport refused =
        new ProbeReport(
            Rule.Kafka.PROBE,
            true,
            Optional.empty(),
            Map.of(),
            Map.of("group ingester", "GroupAuthorizationException: Not authorized"),
            NOW);
    RuleResult result =
        new RuleEvaluator()
            .evaluate(List.of(kafka), inputs(Map.of(Rule.Kafka.PROBE, refused)), Map.of())
            .get(0);
    assertThat(result.conditions())
        .containsExactly(
            new Condition(
                "kafka/kafka/group ingester",
                Map.of("system", "kafka", "resource", "group ingester"),
                "Kafka refused the monitor's probe group ingester (GroupAuthorizationException:"
                    + " Not authorized); its lag is not watched until the probe's principal may"
                    + " DESCRIBE it"));
    ProbeReport answered = new ProbeReport(Rule.Kafka.PROBE, true, Optional.empty(), Map.of(), NOW);
    assertThat(
            new RuleEvaluator()
                .evaluate(List.of(kafka), inputs(Map.of(Rule.Kafka.PROBE, answered)), Map.of())
                .get(0)
                .conditions())
        .isEmpty();
  }

  private static MonitorInputs inputs(Map<String, ProbeReport> probes) {
    return new MonitorInputs(
        NOW,
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        Optional.of(List.of()),
        probes,
        List.of(),
        Map.of());
  }
}
