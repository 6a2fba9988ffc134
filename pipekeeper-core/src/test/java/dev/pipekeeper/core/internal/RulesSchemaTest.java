package dev.pipekeeper.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.core.monitor.RulesTest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The schema stored for {@code alerts.rules} and the parser agree. */
class RulesSchemaTest {

  @Test
  void theSchemaIsUsableAndAcceptsWhatTheParserWrites() {
    assertThat(SchemaCheck.schemaProblems(Rules.schema())).isEmpty();
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int round = 0; round < 300; round++) {
      JsonNode json = Rules.toJson(RulesTest.randomRules(random));
      assertThat(SchemaCheck.errors(Rules.schema(), json))
          .as("seed %d round %d: %s", seed, round, json)
          .isEmpty();
    }
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
          "[{\"name\": \"a\", \"kind\": \"error-rate\", \"threshold\": -1}]"
        }) {
      assertThat(SchemaCheck.errors(Rules.schema(), Json.MAPPER.readTree(bad)))
          .as(bad)
          .isNotEmpty();
    }
  }
}
