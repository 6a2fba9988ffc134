package dev.pipekeeper.core.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.RulesTest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which rules {@link OffsetRules} serves, and which consumer groups they ask the probes for. */
class OffsetRulesTest {
  private static final Set<RuleKind> OFFSET_KINDS =
      EnumSet.of(
          RuleKind.CONSUMER_LAG,
          RuleKind.CONSUMER_STALLED,
          RuleKind.CONSUMER_REWINDING,
          RuleKind.LAG_TIME);

  @Test
  void theFourOffsetKindsNeedOffsetsAndNoOther() {
    for (RuleKind kind : RuleKind.values()) {
      assertThat(OffsetRules.needsOffsets(kind))
          .as(kind.label())
          .isEqualTo(OFFSET_KINDS.contains(kind));
    }
  }

  @Test
  void aRuleAsksForOffsetsExactlyWhenItsKindNeedsThem() {
    Random random = new Random(16);
    Set<String> known = Set.of("a", "b");
    for (int i = 0; i < 200; i++) {
      for (Rule rule : RulesTest.randomRules(random)) {
        Set<String> groups = OffsetRules.offsetGroups(List.of(rule), known);
        assertThat(!groups.isEmpty())
            .as("%s asks for offsets: %s", rule.kind().label(), groups)
            .isEqualTo(OffsetRules.needsOffsets(rule.kind()));
      }
    }
  }

  @Test
  void aRuleOfOneGroupAsksForItAndARuleOfEveryGroupForTheKnownOnes() {
    Set<String> known = Set.of("a", "b");
    List<Rule> rules =
        List.of(
            Rule.of("lag", new Rule.ConsumerLag(10).withGroup("c")),
            Rule.of("age", new Rule.LagTime(Duration.ofMinutes(1))),
            Rule.of("errors", new Rule.ErrorRate(1).withGroup("d")));
    assertThat(OffsetRules.offsetGroups(rules, known)).containsExactly("a", "b", "c");
  }
}
