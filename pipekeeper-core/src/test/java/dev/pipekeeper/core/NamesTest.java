package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.embedded.junit.Fuzz;
import org.junit.jupiter.api.Test;

/** Names are checked before anything is written, and a refusal quotes the name on one line. */
class NamesTest {
  @Test
  void aRefusedNameIsQuotedOnOnePrintableLine() {
    assertThatThrownBy(() -> Names.check("group", "a\nb\u0000\u202e"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "group name 'a\\u000ab\\u0000\\u202e' is not valid: use 1 to 200 characters of"
                + " A-Z a-z 0-9 . _ -, not starting with '.'");
    assertThat(Names.quote("x".repeat(1000))).endsWith("'... (1000 characters)").hasSize(103);
    assertThat(Names.quote("\ud83d\ude00 ok \ud800")).isEqualTo("'\ud83d\ude00 ok \\ud800'");
    assertThat(Names.quote(null)).isEqualTo("null");
  }

  /** Seeded: every name is accepted as given or refused in one short printable line. */
  @Test
  void hostileNamesAreAcceptedAsGivenOrRefusedClearly() {
    Fuzz fuzz = Fuzz.start("names", 20_000);
    fuzz.run(
        run -> {
          String name = fuzz.name();
          try {
            assertThat(Names.check("group", name)).isEqualTo(name);
            assertThat(name).matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");
          } catch (InvalidInputException refused) {
            assertThat(refused.getMessage())
                .startsWith("group name ")
                .hasSizeLessThan(400)
                .matches(m -> m.chars().noneMatch(Character::isISOControl), "printable");
          }
        });
  }
}
