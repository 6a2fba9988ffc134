package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class AssignmentsCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  private static final UnitHandler IDLE =
      new UnitHandler() {
        @Override
        public void start(UnitOwnership unit) {}

        @Override
        public void stop(UnitOwnership unit) {}
      };

  private static Pipekeeper connect(TestCluster cluster) {
    return Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build();
  }

  private static GroupWorker worker(Pipekeeper pk, String id) {
    return pk.worker(
        "ingest",
        MemberInfo.defaults().id(id),
        IDLE,
        WorkerOptions.defaults().withDebounce(Duration.ofMillis(100)));
  }

  @Test
  void showsAssignmentsOwnersAndDrains(TestCluster cluster) throws Exception {
    assertThat(CliRun.against(cluster, "assignments").out()).contains("No groups with work units.");
    try (Pipekeeper a = connect(cluster);
        Pipekeeper b = connect(cluster)) {
      for (int i = 0; i < 4; i++) {
        a.workUnits("ingest").put(WorkUnit.of("tenant-" + i));
      }
      GroupWorker wa = worker(a, "a");
      GroupWorker wb = worker(b, "b");
      assertThat(wa.awaitRunning(r -> r.size() == 2, BOUND)).isTrue();
      assertThat(wb.awaitRunning(r -> r.size() == 2, BOUND)).isTrue();

      CliRun shown = CliRun.against(cluster, "assignments");
      assertThat(shown.exitCode).isZero();
      assertThat(shown.out())
          .containsPattern("Group ingest: generation 1, published by [ab] \\(epoch 1\\)")
          .containsPattern("tenant-0\\s+a\\s+a\\s+running")
          .containsPattern("tenant-1\\s+b\\s+b\\s+running")
          .contains("No moves pending.");

      JsonNode json =
          new ObjectMapper()
              .readTree(CliRun.against(cluster, "assignments", "ingest", "--json").out());
      assertThat(json.get(0).path("generation").asLong()).isEqualTo(1);
      assertThat(json.get(0).path("owners").size()).isEqualTo(4);
      assertThat(json.get(0).path("pendingMoves").size()).isZero();

      assertThat(CliRun.against(cluster, "drain", "ingest", "b").out())
          .contains("Drained member b of group ingest");
      assertThat(wb.awaitRunning(r -> r.isEmpty(), BOUND)).isTrue();
      assertThat(wa.awaitRunning(r -> r.size() == 4, BOUND)).isTrue();
      assertThat(CliRun.against(cluster, "assignments", "ingest").out())
          .containsPattern("tenant-1\\s+a\\s+a\\s+running")
          .contains("Drained: b");
      assertThat(CliRun.against(cluster, "members", "ingest").out()).contains("DRAINING");

      assertThat(CliRun.against(cluster, "undrain", "ingest", "b").out())
          .contains("Undrained member b of group ingest");
      assertThat(wb.awaitRunning(r -> r.size() == 2, BOUND)).isTrue();
    }
  }

  @Test
  void aChangeThatLeavesUnitsWithNowhereToRunIsRefusedUnlessForcedAndShown(TestCluster cluster)
      throws Exception {
    try (Pipekeeper a = connect(cluster);
        Pipekeeper b = connect(cluster)) {
      for (int i = 0; i < 3; i++) {
        a.workUnits("ingest").put(WorkUnit.of("tenant-" + i));
      }
      GroupWorker wa = worker(a, "a");
      GroupWorker wb = worker(b, "b");
      assertThat(wa.awaitRunning(r -> r.size() + wb.running().size() == 3, BOUND)).isTrue();
      CliRun first = CliRun.against(cluster, "drain", "ingest", "b");
      assertThat(first.exitCode).isZero();
      assertThat(first.out()).containsPattern("Drained member b of group ingest(\\.|: its)");
      assertThat(wa.awaitRunning(r -> r.size() == 3, BOUND)).isTrue();

      // a is the last member that takes work: draining it strands every unit
      CliRun last = CliRun.against(cluster, "drain", "ingest", "a");
      assertThat(last.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(last.err().strip())
          .isEqualTo(
              "pipekeeper: draining a would leave 3 units of group ingest with no member to run"
                  + " them (tenant-0, tenant-1, tenant-2): no other member of the group takes"
                  + " work; nothing was changed (--force to do it anyway)");
      assertThat(a.assignments("ingest").drained()).containsExactly("b");

      CliRun forced = CliRun.against(cluster, "drain", "ingest", "a", "--force");
      assertThat(forced.exitCode).isZero();
      assertThat(forced.out())
          .contains("Drained member a of group ingest.")
          .contains(
              "3 units are left with no member to run them (tenant-0, tenant-1, tenant-2):"
                  + " unassigned until a member can take them.")
          .doesNotContain("move to other members");
      assertThat(wa.awaitRunning(r -> r.isEmpty(), BOUND)).isTrue();
      CliRun shown = CliRun.against(cluster, "assignments", "ingest");
      assertThat(shown.out())
          .containsPattern("tenant-0\\s+-\\s+-\\s+unassigned")
          .contains(
              "3 units unassigned, no member can take them (all drained or gone, pinned"
                  + " elsewhere, or full): tenant-0, tenant-1, tenant-2.");
      JsonNode json =
          new ObjectMapper()
              .readTree(CliRun.against(cluster, "assignments", "ingest", "--json").out());
      assertThat(json.get(0).path("unassigned").size()).isEqualTo(3);

      assertThat(CliRun.against(cluster, "undrain", "ingest", "a").exitCode).isZero();
      assertThat(wa.awaitRunning(r -> r.size() == 3, BOUND)).isTrue();

      // a pin to a member that is not there strands its unit too
      CliRun ghost =
          CliRun.against(cluster, "units", "pin", "ingest", "tenant-1", "--member", "ghost");
      assertThat(ghost.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(ghost.err().strip())
          .isEqualTo(
              "pipekeeper: pinning tenant-1 to member ghost would leave 1 unit of group ingest"
                  + " with no member to run them (tenant-1): no member ghost of the group takes"
                  + " work with room for it; nothing was changed (--force to do it anyway)");
      assertThat(a.workUnits("ingest").get("tenant-1").orElseThrow().isPinned()).isFalse();
      CliRun pinned =
          CliRun.against(
              cluster, "units", "pin", "ingest", "tenant-1", "--member", "ghost", "--force");
      assertThat(pinned.exitCode).isZero();
      assertThat(pinned.out())
          .contains("Pinned tenant-1 of group ingest to member ghost.")
          .contains("No member can run tenant-1 now");
      assertThat(wa.awaitRunning(r -> r.size() == 2, BOUND)).isTrue();
      assertThat(
              CliRun.against(cluster, "units", "pin", "ingest", "tenant-2", "--member", "a")
                  .exitCode)
          .isZero();
    }
  }

  @Test
  void badInputExits2WithAClearLine(TestCluster cluster) {
    CliRun notDrained = CliRun.against(cluster, "undrain", "ingest", "nobody");
    assertThat(notDrained.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(notDrained.err().strip())
        .isEqualTo("pipekeeper: member nobody of group ingest is not drained");
    CliRun badId = CliRun.against(cluster, "drain", "ingest", "no/slash");
    assertThat(badId.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(badId.err()).contains("member id name 'no/slash' is not valid");
    CliRun absent = CliRun.against(cluster, "drain", "ingest", "later");
    assertThat(absent.out()).contains("not in the group now; the drain applies when it joins");
    assertThat(CliRun.against(cluster, "drain", "ingest").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(CliRun.run("assignments", "--help").exitCode).isZero();
    assertThat(CliRun.run("drain", "--help").exitCode).isZero();
  }
}
