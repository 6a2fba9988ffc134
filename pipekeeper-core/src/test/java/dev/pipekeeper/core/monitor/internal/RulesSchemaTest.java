package dev.pipekeeper.core.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.config.internal.SchemaCheck;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.core.monitor.RulesTest;
import dev.pipekeeper.embedded.junit.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The schema stored for {@code alerts.rules} and the parser agree. */
class RulesSchemaTest {

  @Test
  void theSchemaIsUsableAndAcceptsWhatTheParserWrites() {
    assertThat(SchemaCheck.schemaProblems(Rules.schema())).isEmpty();
    long seed = Seeds.seed("property.seed", "RulesSchemaTest");
    Random random = new Random(seed);
    for (int round = 0; round < 300; round++) {
      JsonNode json = Rules.toJson(RulesTest.randomRules(random));
      assertThat(SchemaCheck.errors(Rules.schema(), json))
          .as("seed %d round %d: %s", seed, round, json)
          .isEmpty();
    }
  }

  @Test
  void theSchemaAcceptsSwitchingADefaultOff() throws Exception {
    for (String good :
        new String[] {
          "[{\"name\": \"member-down\", \"enabled\": false}]",
          "[{\"name\": \"spare\", \"kind\": \"kafka\", \"enabled\": false}]"
        }) {
      assertThat(SchemaCheck.errors(Rules.schema(), Json.readTree(good))).as(good).isEmpty();
      assertThat(Rules.inForce(java.util.Optional.of(Json.readTree(good))).rules()).isNotEmpty();
    }
  }

  @Test
  void theSchemaNamesTheDefaultsThatCanBeSwitchedOff() {
    List<String> named = new ArrayList<>();
    Rules.schema().at("/$defs/defaultRule/enum").forEach(n -> named.add(n.asText()));
    assertThat(named).isEqualTo(Rules.defaults().stream().map(Rule::name).toList());
  }

  @Test
  void theSchemaRefusesWhatTheParserRefuses() throws Exception {
    for (String bad :
        new String[] {
          "{}",
          "[{\"kind\": \"kafka\"}]",
          "[{\"name\": \"a\", \"kind\": \"nope\"}]",
          "[{\"name\": \"a\", \"kind\": \"kafka\", \"for\": \"soon\"}]",
          "[{\"name\": \"a\", \"kind\": \"kafka\", \"colour\": \"red\"}]",
          "[{\"name\": \"a\", \"kind\": \"consumer-lag\"}]",
          "[{\"name\": \"a\", \"kind\": \"group-size\", \"group\": \"g\"}]",
          "[{\"name\": \"a\", \"kind\": \"lag-time\"}]",
          "[{\"name\": \"a\", \"kind\": \"error-rate\", \"threshold\": -1}]",
          "[{\"name\": \"ghost\", \"enabled\": false}]",
          "[{\"name\": \"a\", \"kind\": \"kafka\", \"enabled\": \"no\"}]"
        }) {
      assertThat(SchemaCheck.errors(Rules.schema(), Json.readTree(bad))).as(bad).isNotEmpty();
    }
  }
}
