package dev.pipekeeper.core.assignment.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.embedded.junit.Seeds;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A generation's change rebuilds it from the one before, and from nothing else. */
class AssignmentChangeTest {

  @Test
  void theChangeFromTheGenerationBeforeRebuildsTheNextExactly() {
    long seed = Seeds.seed("property.seed", "AssignmentChangeTest");
    Random random = new Random(seed);
    Assignment before = random(random, 1, Map.of());
    for (int i = 0; i < 500; i++) {
      Assignment after = random(random, before.generation() + 1, before.owners());
      AssignmentChange change = AssignmentChange.between(Optional.of(before), after);
      assertThat(change.applyTo(before)).as("seed %d, case %d", seed, i).contains(after);
      Map<String, String> old = before.owners();
      assertThat(change.moved())
          .as("seed %d, case %d: only what changed", seed, i)
          .allSatisfy((unit, owner) -> assertThat(old.get(unit)).isNotEqualTo(owner));
      before = after;
    }
  }

  @Test
  void itAppliesToNoOtherGenerationAndAFirstOneToNone() {
    Assignment one = new Assignment(1, 1, "a", Map.of("u1", "m1"), Instant.now());
    Assignment two = new Assignment(2, 1, "a", Map.of("u1", "m2", "u2", "m1"), Instant.now());
    Assignment three = new Assignment(3, 1, "a", Map.of("u2", "m1"), Instant.now());
    AssignmentChange twoToThree = AssignmentChange.between(Optional.of(two), three);
    assertThat(twoToThree.moved()).isEmpty();
    assertThat(twoToThree.removed()).containsExactly("u1");
    assertThat(twoToThree.applyTo(one)).isEmpty();
    assertThat(twoToThree.applyTo(three)).isEmpty();
    assertThat(AssignmentChange.between(Optional.empty(), one).applyTo(one)).isEmpty();
  }

  private static Assignment random(Random random, long generation, Map<String, String> from) {
    Map<String, String> owners = new HashMap<>(from);
    int units = 20 + random.nextInt(20);
    for (int u = 0; u < units; u++) {
      String unit = "u" + u;
      int roll = random.nextInt(10);
      if (roll == 0) {
        owners.remove(unit);
      } else if (roll < 3 || !owners.containsKey(unit)) {
        owners.put(unit, "m" + random.nextInt(6));
      }
    }
    return new Assignment(generation, 1 + random.nextInt(3), "leader", owners, Instant.now());
  }
}
