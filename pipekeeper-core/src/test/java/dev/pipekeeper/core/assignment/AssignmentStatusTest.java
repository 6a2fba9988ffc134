package dev.pipekeeper.core.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssignmentStatusTest {

  @Test
  void pendingMovesCompareAssignedWithActualOwners() {
    Assignment published =
        new Assignment(
            7, 2, "leader", Map.of("running", "a", "moving", "b", "starting", "c"), Instant.now());
    AssignmentStatus status =
        new AssignmentStatus(
            "g",
            Optional.of(published),
            List.of("moving", "nobody", "running", "starting"),
            Map.of("running", "a", "moving", "a", "removed", "c"),
            Set.of("d"));

    assertThat(status.pendingMoves())
        .containsExactly(
            new AssignmentStatus.Move("moving", Optional.of("a"), Optional.of("b")),
            new AssignmentStatus.Move("removed", Optional.of("c"), Optional.empty()),
            new AssignmentStatus.Move("starting", Optional.empty(), Optional.of("c")));
    assertThat(status.unassigned()).containsExactly("nobody");
  }

  @Test
  void withoutAnAssignmentEveryUnitIsUnassigned() {
    AssignmentStatus status =
        new AssignmentStatus("g", Optional.empty(), List.of("u1", "u2"), Map.of(), Set.of());
    assertThat(status.pendingMoves()).isEmpty();
    assertThat(status.unassigned()).containsExactly("u1", "u2");
  }
}
