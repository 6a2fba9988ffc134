package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.core.testing.RecordingSink;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitor's rules changing live, stored rules beside the defaults, and the rules about work and
 * roles: units nobody runs, roles whose contenders all left. Helpers are {@link MonitorIT}'s.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class MonitorRulesIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @Test
  void rulesChangeLiveAndBadRulesAreRefusedWhole(TestCluster cluster) throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper a = Clients.connect(cluster, "a")) {
      a.membership().join("jobs", MemberInfo.defaults());
      MonitorIT.setRules(
          pk, "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 1}]");
      try (Monitor monitor = MonitorIT.monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        MonitorIT.evaluations(monitor, 2);
        assertThat(monitor.alerts()).isEmpty();
        int version = pk.config().version(Scope.global());
        assertThatThrownBy(
                () ->
                    MonitorIT.setRules(
                        pk,
                        "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\"}]"))
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining(Rules.KEY);
        assertThat(pk.config().version(Scope.global())).isEqualTo(version);
        MonitorIT.setRules(
            pk,
            "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 2}]");
        await().atMost(BOUND).until(() -> sink.states("small/jobs").contains(AlertState.FIRING));
      }
    }
  }

  @Test
  void storedRulesAddToTheDefaultsAndARemovedRuleEndsItsAlertSayingSo(TestCluster cluster)
      throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper steady = Clients.connect(cluster, "m1");
        FaultyClient doomed = FaultyClient.connect(cluster, "m2")) {
      // the default member-down, made quicker by a stored rule of its name
      MonitorIT.setRules(
          pk, "[{\"name\": \"member-down\", \"kind\": \"member-down\", \"for\": \"1s\"}]");
      steady.membership().join("ingest", MemberInfo.defaults());
      doomed.pk().membership().join("ingest", MemberInfo.defaults());
      try (Monitor monitor = MonitorIT.monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        MonitorIT.evaluations(monitor, 2);
        doomed.blackhole();
        String key = "member-down/ingest/m2";
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        // a rule added beside the defaults: the default member-down stays, its alert firing
        MonitorIT.setRules(
            pk,
            "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 1}]");
        await().atMost(BOUND).until(() -> sink.states("small/jobs").contains(AlertState.FIRING));
        MonitorIT.evaluations(monitor, 3);
        assertThat(MonitorIT.alert(monitor, key).state()).isEqualTo(AlertState.FIRING);
        assertThat(sink.states(key)).containsExactly(AlertState.FIRING);
        // switched off by name: the alert ends, and says it ended because its rule went away
        MonitorIT.setRules(
            pk,
            "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 1},"
                + " {\"name\": \"member-down\", \"enabled\": false}]");
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
        Alert ended = sink.delivered().stream().filter(a -> a.key().equals(key)).toList().get(1);
        assertThat(ended.resolution()).isEqualTo(Resolution.RULE_REMOVED);
        assertThat(pk.alerts().history(100))
            .filteredOn(a -> a.key().equals(key) && a.state() == AlertState.RESOLVED)
            .singleElement()
            .satisfies(a -> assertThat(a.resolution()).isEqualTo(Resolution.RULE_REMOVED));
        assertThat(sink.states("small/jobs")).doesNotContain(AlertState.RESOLVED);
      }
    }
  }

  @Test
  void unitsThatNoMemberCanRunFireUnassignedUnits(TestCluster cluster) throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper w1 = Clients.connect(cluster, "w1")) {
      MonitorIT.setRules(
          pk,
          "[{\"name\": \"unassigned-units\", \"kind\": \"unassigned-units\", \"for\": \"500ms\"}]");
      for (int i = 0; i < 3; i++) {
        pk.workUnits("jobs").put(WorkUnit.of("u-" + i));
      }
      GroupWorker worker =
          w1.worker(
              "jobs",
              MemberInfo.defaults().id("w1"),
              MonitorIT.IDLE,
              WorkerOptions.defaults().withDebounce(Duration.ofMillis(100)));
      assertThat(worker.awaitRunning(r -> r.size() == 3, BOUND)).isTrue();
      try (Monitor monitor = MonitorIT.monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        MonitorIT.evaluations(monitor, 2);
        String key = "unassigned-units/jobs";
        assertThat(sink.states(key)).isEmpty();
        pk.assignments("jobs").drain("w1"); // the last member: its units have nowhere to go
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        assertThat(MonitorIT.alert(monitor, key).summary())
            .contains("3 of 3 work units of jobs assigned to no member")
            .endsWith("u-0, u-1, u-2");
        assertThat(MonitorIT.alert(monitor, key).labels()).containsEntry("group", "jobs");
        pk.assignments("jobs").undrain("w1");
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
        pk.workUnits("jobs").pin("u-1", "ghost"); // no such member
        await()
            .atMost(BOUND)
            .until(
                () ->
                    monitor.alerts().stream()
                        .anyMatch(
                            a ->
                                a.key().equals(key)
                                    && a.state() == AlertState.FIRING
                                    && a.summary()
                                        .endsWith(
                                            "1 of 3 work units of jobs assigned"
                                                + " to no member (none can take them: drained, pinned"
                                                + " elsewhere or full): u-1")));
      }
      worker.close();
    }
  }

  @Test
  void unitsThatNoMemberCouldEverRunAreAssignedToNoneAndFireUnassignedUnits(TestCluster cluster)
      throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper w1 = Clients.connect(cluster, "w1")) {
      MonitorIT.setRules(
          pk,
          "[{\"name\": \"unassigned-units\", \"kind\": \"unassigned-units\", \"for\": \"500ms\"}]");
      // every unit pinned to a member that does not exist before any member joins: the group's
      // leader has nothing it could assign, and must still say so in a published assignment
      for (int i = 0; i < 2; i++) {
        pk.workUnits("pinned").put(WorkUnit.of("p-" + i).pinnedTo("ghost"));
      }
      GroupWorker worker =
          w1.worker(
              "pinned",
              MemberInfo.defaults().id("w1"),
              MonitorIT.IDLE,
              WorkerOptions.defaults().withDebounce(Duration.ofMillis(100)));
      await().atMost(BOUND).until(() -> pk.assignments("pinned").current().isPresent());
      assertThat(pk.assignments("pinned").current().orElseThrow().owners()).isEmpty();
      try (Monitor monitor = MonitorIT.monitor(pk, sink)) {
        String key = "unassigned-units/pinned";
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        assertThat(MonitorIT.alert(monitor, key).summary())
            .contains("2 of 2 work units of pinned assigned to no member")
            .endsWith("p-0, p-1");
      }
      worker.close();
    }
  }

  @Test
  void aRoleWhoseContendersAllClosedRetiresWithoutAnAlertAndANewContenderUnretiresIt(
      TestCluster cluster) throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b");
        FaultyClient c = FaultyClient.connect(cluster, "c")) {
      MonitorIT.setRules(
          pk, "[{\"name\": \"no-leader\", \"kind\": \"no-leader\", \"for\": \"500ms\"}]");
      Leadership la = a.leadership("jobs.cleanup").start();
      la.awaitLease(BOUND).orElseThrow();
      Leadership lb = b.leadership("jobs.cleanup").start();
      String key = "no-leader/jobs.cleanup";
      try (Monitor monitor = MonitorIT.monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        MonitorIT.evaluations(monitor, 2);
        lb.close();
        la.close(); // every contender closed cleanly: the role is retired, not leaderless
        await()
            .atMost(BOUND)
            .until(
                () ->
                    pk.inspector().roles().stream()
                        .anyMatch(
                            r -> r.role().equals("jobs.cleanup") && r.contenders().isEmpty()));
        MonitorIT.evaluations(monitor, 6);
        assertThat(monitor.alerts()).extracting(Alert::key).doesNotContain(key);
        assertThat(sink.states(key)).isEmpty();
        // a new contender un-retires it; when it dies, the role has lost its leader
        Leadership lc = c.pk().leadership("jobs.cleanup").start();
        lc.awaitLease(BOUND).orElseThrow();
        MonitorIT.evaluations(monitor, 2);
        c.blackhole();
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
      }
    }
  }
}
