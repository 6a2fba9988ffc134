package dev.pipekeeper.embedded.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fuzz helper replays: one seed, the same inputs; a failure names the seed and the run. */
class FuzzTest {
  @Test
  void oneSeedGivesTheSameInputs() {
    System.setProperty("fuzz.seed", "42");
    try {
      assertThat(inputs()).isEqualTo(inputs());
    } finally {
      System.clearProperty("fuzz.seed");
    }
  }

  @Test
  void withoutASeedTheRunIsFixedByTheTestsName() {
    assertThat(inputs()).isEqualTo(inputs());
    assertThat(Seeds.seed("fuzz.seed", "one test"))
        .isNotEqualTo(Seeds.seed("fuzz.seed", "another"));
  }

  @Test
  void randomDrawsAFreshSeedAndAnythingElseIsRefusedByName() {
    System.setProperty("fuzz.seed", "random");
    try {
      assertThat(
              java.util.stream.IntStream.range(0, 5)
                  .mapToLong(i -> Seeds.seed("fuzz.seed", "drawn"))
                  .distinct()
                  .count())
          .isGreaterThan(1);
      System.setProperty("fuzz.seed", "12x");
      assertThatThrownBy(() -> Seeds.seed("fuzz.seed", "bad"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-Dfuzz.seed must be a number")
          .hasMessageContaining("12x");
    } finally {
      System.clearProperty("fuzz.seed");
    }
  }

  @Test
  void aFailureNamesTheSeedTheRunAndTheReplay() {
    Fuzz fuzz = Fuzz.replay("fuzz test", 7, 5);
    assertThatThrownBy(
            () ->
                fuzz.run(
                    i -> {
                      if (i == 3) {
                        throw new IllegalStateException("boom");
                      }
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("seed " + fuzz.seed())
        .hasMessageContaining("run 3 of 5")
        .hasMessageContaining("-Dfuzz.seed=" + fuzz.seed())
        .hasMessageContaining("boom");
  }

  @Test
  void generatorsStayWithinTheirBounds() {
    Fuzz fuzz = Fuzz.start("generators", 300);
    fuzz.run(
        i -> {
          assertThat(fuzz.string(20)).hasSizeLessThanOrEqualTo(20);
          assertThat(fuzz.bytes(16).length).isLessThanOrEqualTo(16);
          assertThat(fuzz.nodeData().length).isLessThanOrEqualTo(Fuzz.NEAR_ONE_MIB);
          assertThat(fuzz.name()).isNotNull();
          assertThat(fuzz.json()).isNotNull();
        });
  }

  private static List<String> inputs() {
    Fuzz fuzz = Fuzz.start("replay", 50);
    List<String> out = new ArrayList<>();
    fuzz.run(i -> out.add(fuzz.name() + "|" + fuzz.json() + "|" + fuzz.mutate("a.b")));
    return out;
  }
}
