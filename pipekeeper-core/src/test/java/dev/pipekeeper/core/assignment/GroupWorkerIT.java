package dev.pipekeeper.core.assignment;

import static dev.pipekeeper.core.testing.WorkerFixture.BOUND;
import static dev.pipekeeper.core.testing.WorkerFixture.FAST;
import static dev.pipekeeper.core.testing.WorkerFixture.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.core.testing.OwnershipLog;
import dev.pipekeeper.core.testing.WorkerFixture;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several workers in one group against a real ZooKeeper: every test's handler history goes through
 * the ownership checker ({@link OwnershipLog#check()} after each test).
 */
@ExtendWith(EmbeddedClusterExtension.class)
class GroupWorkerIT {
  private WorkerFixture w;

  private WorkerFixture fixture(TestCluster cluster) {
    w = new WorkerFixture(cluster);
    return w;
  }

  @AfterEach
  void closeAndCheck() {
    if (w != null) {
      w.close();
    }
  }

  @Test
  void everyUnitRunsOnExactlyOneMemberAndTheLoadIsEven(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 12);
    GroupWorker wa = w.worker(a, "a");
    GroupWorker wb = w.worker(w.connect("b"), "b");
    GroupWorker wc = w.worker(w.connect("c"), "c");
    w.awaitSpread(12, "a", "b", "c");

    assertThat(List.of(wa, wb, wc)).filteredOn(GroupWorker::isLeader).hasSize(1);
    assertThat(wb.running()).isEqualTo(w.log().runningOn("b"));
    AssignmentStatus status =
        await()
            .atMost(BOUND)
            .until(() -> a.assignments(GROUP).status(), s -> s.pendingMoves().isEmpty());
    assertThat(status.owners()).isEqualTo(status.assignment().orElseThrow().owners());
    assertThat(status.units()).hasSize(12);
    assertThat(status.unassigned()).isEmpty();
    assertThat(wc.assignment().orElseThrow().generation())
        .isEqualTo(status.assignment().orElseThrow().generation());
  }

  @Test
  void aJoinMovesOnlyWhatItMust(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 12);
    w.worker(a, "a");
    w.worker(w.connect("b"), "b");
    w.awaitSpread(12, "a", "b");
    long stopsBefore = w.log().stops("a") + w.log().stops("b");

    w.worker(w.connect("c"), "c");
    w.awaitSpread(12, "a", "b", "c");
    long moved = w.log().stops("a") + w.log().stops("b") - stopsBefore;
    assertThat(moved).isLessThanOrEqualTo(12 / 3 + 1).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aGracefulLeaveMovesItsUnitsAtOnce(TestCluster cluster) {
    // A long session: the units can only move in time if the leaver released them itself.
    fixture(cluster);
    Duration session = Duration.ofSeconds(60);
    Pipekeeper a = w.keep(Clients.connect(cluster.zkConnect(), cluster.cluster(), "a", session));
    Pipekeeper c = w.keep(Clients.connect(cluster.zkConnect(), cluster.cluster(), "c", session));
    w.units(a, 9);
    w.worker(a, "a");
    w.worker(w.keep(Clients.connect(cluster.zkConnect(), cluster.cluster(), "b", session)), "b");
    GroupWorker wc = w.worker(c, "c");
    w.awaitSpread(9, "a", "b", "c");
    Set<String> ofC = w.log().runningOn("c");

    wc.close();
    assertThat(wc.running()).isEmpty();
    await().atMost(session.dividedBy(3)).until(() -> w.log().running().size() == 9);
    assertThat(w.log().running().keySet()).containsAll(ofC);
    assertThat(w.log().stops("a") + w.log().stops("b"))
        .as("only the leaver's units moved")
        .isZero();
  }

  @Test
  void aDeadMembersUnitsMoveAfterItsSessionEndsAndItGetsWorkAgainWhenBack(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 9);
    w.worker(a, "a");
    w.worker(w.connect("b"), "b");
    FaultyClient c = w.keep(FaultyClient.connect(cluster, "c"));
    GroupWorker wc = w.worker(c.pk(), "c");
    w.awaitSpread(9, "a", "b", "c");

    c.cut(); // c stops its units when suspended; a and b take them once its session ended
    await()
        .atMost(BOUND)
        .until(
            () ->
                wc.running().isEmpty()
                    && w.log().runningOn("c").isEmpty()
                    && w.log().running().size() == 9);

    c.restore(); // a new session: c rejoins and gets its share again
    w.awaitSpread(9, "a", "b", "c");
  }

  @Test
  void aDrainedMemberStaysUpWithoutWorkUntilUndrained(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 9);
    w.worker(a, "a");
    w.worker(w.connect("b"), "b");
    GroupWorker wc = w.worker(w.connect("c"), "c");
    w.awaitSpread(9, "a", "b", "c");

    a.assignments(GROUP).drain("c"); // an operator's drain, from another connection
    w.awaitSpread(9, "a", "b");
    assertThat(w.log().runningOn("c")).isEmpty();
    assertThat(a.membership().members(GROUP))
        .filteredOn(m -> m.id().equals("c"))
        .extracting(MemberRecord::state)
        .containsExactly(MemberState.DRAINING);
    assertThat(a.assignments(GROUP).status().drained()).containsExactly("c");

    wc.undrain();
    w.awaitSpread(9, "a", "b", "c");
    assertThat(a.assignments(GROUP).drained()).isEmpty();
    assertThat(wc.member().record().state()).isEqualTo(MemberState.RUNNING);
  }

  @Test
  void pinsAreHonouredAndAPinToNobodyLeavesTheUnitUnassigned(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    WorkUnits units = a.workUnits(GROUP);
    w.units(a, 6);
    units.pin("tenant-00", "a");
    units.pinToTag("tenant-01", "zone=b");
    units.pin("tenant-02", "ghost");
    w.worker(a, "a");
    w.worker(w.connect("b"), MemberInfo.defaults().id("b").tag("zone", "b"), FAST);

    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(w.log().running()).hasSize(5).doesNotContainKey("tenant-02");
              assertThat(w.log().running()).containsEntry("tenant-00", "a");
              assertThat(w.log().running()).containsEntry("tenant-01", "b");
            });
    assertThat(a.assignments(GROUP).status().unassigned()).containsExactly("tenant-02");

    units.pin("tenant-00", "b"); // a pin moves a running unit
    units.unpin("tenant-02");
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(w.log().running()).hasSize(6).containsEntry("tenant-00", "b");
            });
  }

  @Test
  void unitsAddedAndRemovedAtRuntimeStartAndStop(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.worker(a, "a");
    w.worker(w.connect("b"), "b");
    w.units(a, 2);
    await().atMost(BOUND).until(() -> w.log().running().size() == 2);

    a.workUnits(GROUP).put(WorkUnit.of("tenant-new"));
    await().atMost(BOUND).until(() -> w.log().running().containsKey("tenant-new"));
    a.workUnits(GROUP).remove("tenant-00");
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(w.log().running()).containsOnlyKeys("tenant-01", "tenant-new");
              assertThat(a.assignments(GROUP).status().owners())
                  .containsOnlyKeys("tenant-01", "tenant-new");
            });
  }

  @Test
  void aLeaderLostDuringARebalanceIsReplacedAndTheRebalanceCompletes(TestCluster cluster) {
    // A long debounce keeps the rebalance pending while the leader is cut off.
    fixture(cluster);
    WorkerOptions slow = FAST.withDebounce(Duration.ofSeconds(1));
    FaultyClient leader = w.keep(FaultyClient.connect(cluster, "a"));
    GroupWorker wa = w.worker(leader.pk(), MemberInfo.defaults().id("a"), slow);
    await().atMost(BOUND).until(wa::isLeader);
    Pipekeeper b = w.connect("b");
    GroupWorker wb = w.worker(b, MemberInfo.defaults().id("b"), slow);
    w.worker(w.connect("c"), MemberInfo.defaults().id("c"), slow);
    w.units(b, 6);
    long epochBefore =
        b.inspector().roles().stream()
            .filter(r -> r.role().equals(GROUP + ".assigner"))
            .findFirst()
            .orElseThrow()
            .epoch();

    leader.cut();
    w.awaitSpread(6, "b", "c");
    assertThat(wb.assignment().orElseThrow().epoch()).isGreaterThan(epochBefore);
    assertThat(wa.running()).isEmpty();

    leader.restore(); // back with a new session: a rejoins as a follower and gets its share
    w.awaitSpread(6, "a", "b", "c");
    assertThat(wa.isLeader()).isFalse();
  }

  @Test
  void aStopThatHangsGivesUpTheOwnershipAfterTheBound(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 4);
    OwnershipLog.Handler stuck = w.log().handler("a").blockStops();
    GroupWorker wa = w.keep(a.worker(GROUP, MemberInfo.defaults().id("a"), stuck, FAST));
    w.worker(w.connect("b"), "b");
    w.awaitSpread(4, "a", "b");
    try {
      wa.drain();
      w.awaitSpread(4, "b");
      assertThat(wa.running()).isEmpty();
    } finally {
      stuck.unblockStops();
    }
  }

  @Test
  void aMovingUnitStartsOnlyAfterItsOldOwnerStoppedIt(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 4);
    OwnershipLog.Handler slow = w.log().handler("a").slowStops(Duration.ofMillis(300));
    GroupWorker wa = w.keep(a.worker(GROUP, MemberInfo.defaults().id("a"), slow, FAST));
    w.worker(w.connect("b"), "b");
    w.awaitSpread(4, "a", "b");
    wa.drain(); // b is told at once, but must wait for each of a's stops (the checker sees it)
    w.awaitSpread(4, "b");
  }

  @Test
  void aStartThatFailsIsRetried(TestCluster cluster) {
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 1);
    OwnershipLog.Handler flaky = w.log().handler("a").failStarts("tenant-00", 2);
    GroupWorker wa = w.keep(a.worker(GROUP, MemberInfo.defaults().id("a"), flaky, FAST));
    assertThat(wa.awaitRunning(r -> r.contains("tenant-00"), BOUND)).isTrue();
  }

  @Test
  void aBurstOfJoinsCausesOneRebalance(TestCluster cluster) {
    WorkerOptions debounced = FAST.withDebounce(Duration.ofSeconds(2));
    Pipekeeper a = fixture(cluster).connect("a");
    w.units(a, 8);
    GroupWorker wa = w.worker(a, MemberInfo.defaults().id("a"), debounced);
    await().atMost(BOUND).until(() -> w.log().running().size() == 8);
    long before = wa.assignment().orElseThrow().generation();
    List<Pipekeeper> others = List.of(w.connect("b"), w.connect("c"), w.connect("d"));
    for (Pipekeeper pk : others) {
      w.worker(pk, MemberInfo.defaults().id(pk.identity()), debounced);
    }
    w.awaitSpread(8, "a", "b", "c", "d");
    assertThat(a.assignments(GROUP).current().orElseThrow().generation()).isEqualTo(before + 1);
  }
}
