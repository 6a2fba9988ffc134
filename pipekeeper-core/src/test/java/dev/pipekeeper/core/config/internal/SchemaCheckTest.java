package dev.pipekeeper.core.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A schema that does not compile is refused in one line that names what is wrong. */
class SchemaCheckTest {
  /**
   * Found by the config-writes fuzz (seed -6756057117363434168, run 87): the refusal was the regex
   * library's message over three lines, with its class name and a caret.
   */
  @Test
  void aPatternThatIsNoRegularExpressionIsRefusedInOneLine() throws Exception {
    assertThat(SchemaCheck.schemaProblems(new ObjectMapper().readTree("{\"pattern\":\"[\"}")))
        .containsExactly("the pattern '[' is not a regular expression: Unclosed character class");
  }
}
