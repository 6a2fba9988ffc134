package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.ServerState;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Closing every primitive leaves no watcher, ephemeral node or thread behind. */
@ExtendWith(EmbeddedClusterExtension.class)
class LeakIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));

  @Test
  void aConnectionDoesNotKeepPrimitivesClosedBeforeIt(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "long-lived")) {
      java.util.List<java.lang.ref.WeakReference<Object>> closed = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Leadership leadership = pk.leadership("job-" + i).start();
        Member member = pk.membership().join("g" + i, MemberInfo.defaults());
        dev.pipekeeper.core.health.HealthPublication health =
            pk.health().publish("g" + i, java.time.Duration.ofSeconds(1), () -> health("g"));
        leadership.close();
        member.close();
        health.close();
        closed.add(new java.lang.ref.WeakReference<>(leadership));
        closed.add(new java.lang.ref.WeakReference<>(member));
        closed.add(new java.lang.ref.WeakReference<>(health));
      }
      await()
          .atMost(BOUND)
          .untilAsserted(
              () -> {
                System.gc();
                assertThat(
                        closed.stream()
                            .map(java.lang.ref.WeakReference::get)
                            .filter(java.util.Objects::nonNull)
                            .map(o -> o.getClass().getSimpleName())
                            .toList())
                    .isEmpty();
              });
    }
  }

  @Test
  void aClosedMonitorLeavesNoThreadElectionNodeOrMeter(TestCluster cluster) {
    long threadsBefore = Clients.threadsNamed("pipekeeper-");
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (Pipekeeper pk = Clients.connect(cluster, "monitor")) {
      long session = pk.sessionId();
      int metersBefore = registry.getMeters().size();
      dev.pipekeeper.core.monitor.Monitor monitor =
          pk.monitor()
              .evaluationInterval(java.time.Duration.ofMillis(100))
              .sink(new dev.pipekeeper.core.testing.RecordingSink("test"))
              .metrics(registry)
              .start();
      await().atMost(BOUND).until(() -> monitor.lastEvaluation().isPresent());
      assertThat(Clients.threadNames("pipekeeper-"))
          .contains("pipekeeper-monitor", "pipekeeper-alerts-test", "pipekeeper-alerts-log");
      assertThat(ServerState.ephemeralsOf(cluster.zkConnect(), session)).isNotEmpty();
      monitor.close();
      monitor.close(); // safe twice
      assertThat(registry.getMeters()).hasSize(metersBefore);
      await()
          .atMost(BOUND)
          .untilAsserted(
              () -> {
                assertThat(ServerState.ephemeralsOf(cluster.zkConnect(), session)).isEmpty();
                assertThat(Clients.threadNames("pipekeeper-"))
                    .doesNotContain(
                        "pipekeeper-monitor", "pipekeeper-alerts-test", "pipekeeper-alerts-log");
              });
    }
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(Clients.threadsNamed("pipekeeper-")).isLessThanOrEqualTo(threadsBefore));
  }

  private static dev.pipekeeper.core.health.HealthReport health(String group) {
    return new dev.pipekeeper.core.health.HealthReport(
        group, "m", "RUNNING", 0, 0, 0, 0, 0, null, null, null, null, java.time.Instant.now());
  }

  @Test
  void closedPrimitivesLeaveNothingBehind(TestCluster cluster) {
    long threadsBefore = Clients.threadsNamed("pipekeeper-");
    long curatorBefore = Clients.threadsNamed("Curator-");
    Pipekeeper pk = Clients.connect(cluster, "leaky");
    long session = pk.sessionId();
    String server = cluster.zkConnect();

    Member member = pk.membership().join("g", MemberInfo.defaults());
    GroupView view = pk.membership().watch("g");
    Leadership leadership = pk.leadership("r").start();
    leadership.awaitLease(BOUND).orElseThrow();
    LockHandle mutex = pk.locks().mutex("m").acquire(BOUND);
    LockHandle read = pk.locks().readLock("rw").acquire(BOUND);
    LockHandle permit = pk.locks().semaphore("s", 2).acquire(BOUND);
    dev.pipekeeper.core.barriers.Barrier barrier = pk.barrier("b", 1);
    assertThat(barrier.enter(BOUND)).isTrue();
    assertThat(barrier.leave(BOUND)).isTrue();
    pk.workUnits("w").put(dev.pipekeeper.core.assignment.WorkUnit.of("u1"));
    pk.workUnits("w").put(dev.pipekeeper.core.assignment.WorkUnit.of("u2"));
    dev.pipekeeper.core.assignment.GroupWorker worker =
        pk.worker(
            "w",
            MemberInfo.defaults(),
            new dev.pipekeeper.core.assignment.UnitHandler() {
              @Override
              public void start(dev.pipekeeper.core.assignment.UnitOwnership unit) {}

              @Override
              public void stop(dev.pipekeeper.core.assignment.UnitOwnership unit) {}
            });
    assertThat(worker.awaitRunning(running -> running.size() == 2, BOUND)).isTrue();
    dev.pipekeeper.core.health.HealthPublication health =
        pk.health().publish("g", java.time.Duration.ofMillis(100), () -> health("g"));
    assertThat(ServerState.ephemeralsOf(server, session)).hasSizeGreaterThanOrEqualTo(10);
    assertThat(ServerState.watchesOf(server, session)).isNotEmpty();

    worker.close();
    health.close();
    mutex.close();
    read.close();
    permit.close();
    leadership.close();
    view.close();
    member.close();

    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(ServerState.ephemeralsOf(server, session)).isEmpty();
              // Persistent watches (the group views', the worker's, the member nodes' own
              // checks) are removed (the client receives PersistentWatchRemoved and no more
              // events), but ZooKeeper 3.9.5 keeps listing them in wchc until the session ends;
              // every other watch must be gone.
              String root = ZkLayout.root(cluster.cluster());
              assertThat(ServerState.watchesOf(server, session))
                  .isSubsetOf(
                      root + ZkLayout.members("g"),
                      root + ZkLayout.members("w"),
                      root + ZkLayout.units("w"),
                      root + ZkLayout.drains("w"),
                      root + ZkLayout.assignment("w"),
                      root + ZkLayout.drain("w", "leaky"),
                      root + ZkLayout.member("g", "leaky"),
                      root + ZkLayout.member("w", "leaky"));
            });

    pk.close();
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(Clients.threadsNamed("pipekeeper-"))
                  .as("%s", Clients.threadNames("pipekeeper-"))
                  .isLessThanOrEqualTo(threadsBefore);
              assertThat(Clients.threadsNamed("Curator-"))
                  .as("%s", Clients.threadNames("Curator-"))
                  .isLessThanOrEqualTo(curatorBefore);
            });
  }
}
