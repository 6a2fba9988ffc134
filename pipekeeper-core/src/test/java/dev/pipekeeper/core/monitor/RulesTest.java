package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.embedded.junit.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

public class RulesTest {

  @Test
  void readsEverySettingAndWritesItBack() {
    List<Rule> rules =
        Rules.parse(
            """
            [{"name": "orders-lag", "kind": "consumer-lag", "group": "enrichment",
              "threshold": 1000, "window": "2m", "for": "30s", "keepFiringFor": "1m",
              "severity": "critical"},
             {"name": "zk", "kind": "zookeeper", "maxOutstanding": 10, "maxLatency": "250ms"},
             {"name": "small", "kind": "group-size", "group": "ingest", "min": 3},
             {"name": "old", "kind": "lag-time", "after": "PT5M"}]
            """);
    Rule lag = rules.get(0);
    assertThat(lag.kind()).isEqualTo(RuleKind.CONSUMER_LAG);
    assertThat(lag.severity()).isEqualTo(Severity.CRITICAL);
    Rule.ConsumerLag lagWatch = (Rule.ConsumerLag) lag.watch();
    assertThat(lagWatch.group()).contains("enrichment");
    assertThat(lagWatch.threshold()).isEqualTo(1000.0);
    assertThat(lagWatch.window()).isEqualTo(Duration.ofMinutes(2));
    assertThat(lag.forDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(lag.keepFiringFor()).isEqualTo(Duration.ofMinutes(1));
    assertThat(((Rule.Zookeeper) rules.get(1).watch()).maxLatency())
        .contains(Duration.ofMillis(250));
    assertThat(rules.get(1).severity()).isEqualTo(Severity.WARNING);
    assertThat(((Rule.GroupSize) rules.get(2).watch()).min()).isEqualTo(3);
    assertThat(((Rule.LagTime) rules.get(3).watch()).after()).isEqualTo(Duration.ofMinutes(5));
    assertThat(Rules.parse(Rules.toJson(rules))).isEqualTo(rules);
  }

  @Test
  void theDefaultsAreValidRules() {
    assertThat(Rules.parse(Rules.toJson(Rules.defaults()))).isEqualTo(Rules.defaults());
  }

  @Test
  void refusesBadRulesNamingTheRuleAndTheProblem() {
    assertRefused("{}", "must be a JSON array");
    assertRefused("[1]", "rule 1 must be a JSON object");
    assertRefused("[{\"kind\": \"kafka\"}]", "rule 1: name is missing");
    assertRefused("[{\"name\": \"Big\", \"kind\": \"kafka\"}]", "name 'Big' is not valid");
    assertRefused("[{\"name\": \"a\", \"kind\": \"nope\"}]", "rule 1 (a): rule kind 'nope'");
    assertRefused("[{\"name\": \"a\"}]", "rule 1 (a): rule kind 'null'");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"kafka\", \"severity\": \"bad\"}]", "severity 'bad'");
    assertRefused("[{\"name\": \"a\", \"kind\": \"kafka\", \"for\": \"soon\"}]", "for 'soon'");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"kafka\", \"colour\": \"red\"}]",
        "unknown setting 'colour'");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"consumer-lag\"}]",
        "threshold is required for kind consumer-lag");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"group-size\", \"group\": \"g\"}]",
        "min is required for kind group-size");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"error-rate\", \"threshold\": -1}]",
        "threshold must be a number of at least 0");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"group-size\", \"group\": \"g\", \"min\": 0}]",
        "min must be a whole number of at least 1");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"kafka\", \"group\": \"a/b\"}]", "group name 'a/b'");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"kafka\"}, {\"name\": \"a\", \"kind\": \"kafka\"}]",
        "rule 2: the name 'a' is used by an earlier rule");
    assertRefused("[{\"name\": \"a\", \"kind\": \"kafka\", \"window\": \"0s\"}]", "window");
    assertRefused("not json", "not valid JSON");
  }

  @Test
  void storedRulesAddToTheDefaults() {
    RuleSet set =
        Rules.inForce(
            stored(
                "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\","
                    + " \"min\": 2}]"));
    List<Rule> expected = new ArrayList<>(Rules.defaults());
    expected.add(Rule.of("small", new Rule.GroupSize("jobs", 2)));
    assertThat(set.rules()).isEqualTo(expected);
    assertThat(set.disabled()).isEmpty();
    assertThat(set.replaced()).isEmpty();
    assertThat(Rules.inForce(Optional.empty()).rules()).isEqualTo(Rules.defaults());
  }

  @Test
  void aDefaultIsSwitchedOffByNameAndReplacedByARuleOfItsName() {
    RuleSet set =
        Rules.inForce(
            stored(
                """
                [{"name": "no-leader", "enabled": false},
                 {"name": "member-down", "kind": "member-down", "for": "1m"},
                 {"name": "spare", "kind": "kafka", "enabled": false}]
                """));
    assertThat(set.rules()).extracting(Rule::name).doesNotContain("no-leader", "spare");
    assertThat(set.rules().get(0))
        .isEqualTo(Rule.of("member-down", new Rule.MemberDown()).withFor(Duration.ofMinutes(1)));
    assertThat(set.rules()).hasSize(Rules.defaults().size() - 1);
    assertThat(set.disabled()).containsExactly("no-leader");
    assertThat(set.replaced()).containsExactly("member-down");
    assertThat(set.isDefault(set.rules().get(1))).isTrue();
    assertThat(set.isDefault(set.rules().get(0))).isFalse();
  }

  @Test
  void switchingOffARuleThatIsNoDefaultNeedsItsKind() {
    assertRefused(
        "[{\"name\": \"ghost\", \"enabled\": false}]",
        "rule 1 (ghost): there is no default rule named 'ghost' to switch off");
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"kafka\", \"enabled\": \"no\"}]",
        "enabled must be true or false");
    assertRefused(
        "[{\"name\": \"kafka\", \"enabled\": false}, {\"name\": \"kafka\", \"kind\": \"kafka\"}]",
        "rule 2: the name 'kafka' is used by an earlier rule");
  }

  private static Optional<JsonNode> stored(String json) {
    try {
      return Optional.of(Json.readTree(json));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertRefused(String json, String message) {
    assertThatThrownBy(() -> Rules.parse(json))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(message);
    if (json.startsWith("[")) {
      assertThatThrownBy(() -> Rules.inForce(stored(json)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(message);
    }
  }

  /** Seeded random rules: their JSON form reads back equal. */
  @Test
  void randomRulesRoundTrip() {
    long seed = Seeds.seed("property.seed", "RulesTest");
    Random random = new Random(seed);
    for (int round = 0; round < 500; round++) {
      List<Rule> rules = randomRules(random);
      try {
        assertThat(Rules.parse(Rules.toJson(rules))).isEqualTo(rules);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ", round " + round + ": " + e.getMessage(), e);
      }
    }
  }

  /** Random valid rules (every kind's required settings set, its other settings at random). */
  public static List<Rule> randomRules(Random random) {
    List<Rule> rules = new ArrayList<>();
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) {
      RuleKind kind = RuleKind.values()[random.nextInt(RuleKind.values().length)];
      Rule r =
          Rule.of("rule-" + i, randomWatch(kind, random))
              .withSeverity(Severity.values()[random.nextInt(3)]);
      if (random.nextBoolean()) {
        r = r.withFor(duration(random));
      }
      if (random.nextBoolean()) {
        r = r.withKeepFiringFor(duration(random));
      }
      rules.add(r);
    }
    return rules;
  }

  private static Rule.Watch randomWatch(RuleKind kind, Random random) {
    Optional<String> group =
        random.nextBoolean() ? Optional.of("group-" + random.nextInt(5)) : Optional.empty();
    double threshold = random.nextInt(10_000) / 4.0;
    Duration window = random.nextBoolean() ? duration(random).plusMillis(1) : Rule.DEFAULT_WINDOW;
    return switch (kind) {
      case MEMBER_DOWN -> new Rule.MemberDown(group);
      case GROUP_SIZE -> new Rule.GroupSize("group-" + random.nextInt(5), 1 + random.nextInt(20));
      case NO_LEADER ->
          new Rule.NoLeader(
              random.nextInt(4) == 0 ? Optional.of("role." + random.nextInt(5)) : Optional.empty());
      case CONSUMER_LAG -> new Rule.ConsumerLag(group, threshold, window);
      case CONSUMER_STALLED -> new Rule.ConsumerStalled(group, window);
      case CONSUMER_REWINDING -> new Rule.ConsumerRewinding(group, window);
      case LAG_TIME -> new Rule.LagTime(group, duration(random));
      case ERROR_RATE -> new Rule.ErrorRate(group, threshold);
      case NO_PROGRESS -> new Rule.NoProgress(group, duration(random));
      case CONFIG_DRIFT -> new Rule.ConfigDrift(group);
      case ZOOKEEPER ->
          new Rule.Zookeeper(
              random.nextBoolean() ? Optional.of(random.nextInt(500)) : Optional.empty(),
              random.nextBoolean() ? Optional.of(duration(random)) : Optional.empty());
      case KAFKA -> new Rule.Kafka();
      case DELIVERY -> new Rule.Delivery();
      case UNASSIGNED_UNITS -> new Rule.UnassignedUnits(group);
    };
  }

  /** The schema lets every setting on every kind: each is checked, and a kind keeps its own. */
  @Test
  void aSettingItsKindDoesNotUseIsCheckedAndThenLeftOut() {
    assertThat(
            Rules.parse(
                "[{\"name\": \"a\", \"kind\": \"kafka\", \"group\": \"g\", \"threshold\": 5,"
                    + " \"min\": 2}]"))
        .containsExactly(Rule.of("a", new Rule.Kafka()));
    assertRefused(
        "[{\"name\": \"a\", \"kind\": \"member-down\", \"min\": 0}]",
        "min must be a whole number of at least 1");
  }

  private static Duration duration(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> Duration.ofMillis(random.nextInt(5000));
      case 1 -> Duration.ofSeconds(random.nextInt(600));
      case 2 -> Duration.ofMinutes(random.nextInt(120));
      default -> Duration.ofHours(random.nextInt(48));
    };
  }
}
