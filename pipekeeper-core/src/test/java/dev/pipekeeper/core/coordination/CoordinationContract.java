package dev.pipekeeper.core.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.core.testing.LeaseHistory;
import dev.pipekeeper.core.testing.ServerState;
import dev.pipekeeper.core.testing.TokenStore;
import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract of the coordination primitives under faults, run against a single server and a
 * 3-server quorum. In every scenario client A leads a role, holds a lock and is a member of a
 * group; client B contends, waits and watches. A history of every grant, suspension, revocation and
 * piece of leader-only work is checked at the end: no two valid leases overlap, epochs strictly
 * increase, nothing is done under an ended lease. Lock writes go to a store that fences by token; a
 * zombie's write with an old token is refused.
 */
abstract class CoordinationContract {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  static final String ROLE = "singleton";
  static final String LOCK = "resource";
  static final String GROUP = "workers";

  /** Whether the shared ensemble is a quorum (some scenarios need one). */
  abstract boolean quorum();

  /** The two clients, their primitives and the checkers of one scenario. */
  static final class World implements AutoCloseable {
    final LeaseHistory history = new LeaseHistory();
    final TokenStore store = new TokenStore();
    final FaultyClient a;
    final FaultyClient b;
    final Pipekeeper observer;
    final Leadership leadA;
    final Leadership leadB;
    final Member memberA;
    final GroupView view;
    final Lease firstLease;
    final LockHandle lockA;
    final ScheduledExecutorService workers = Executors.newScheduledThreadPool(2);

    World(TestCluster cluster) {
      a = FaultyClient.connect(cluster, "a");
      b = FaultyClient.connect(cluster, "b");
      observer =
          Clients.connect(
              cluster.zkConnect(), cluster.cluster(), "observer", Duration.ofSeconds(10));
      memberA = a.pk().membership().join(GROUP, MemberInfo.defaults());
      b.pk().membership().join(GROUP, MemberInfo.defaults());
      view = observer.membership().watch(GROUP);
      leadA = a.pk().leadership(ROLE).addListener(history.listener("a")).start();
      firstLease = leadA.awaitLease(BOUND).orElseThrow();
      leadB = b.pk().leadership(ROLE).addListener(history.listener("b")).start();
      lockA = a.pk().locks().mutex(LOCK).acquire(BOUND);
      assertThat(store.write("a", lockA.fencingToken())).isTrue();
      work("a", leadA);
      work("b", leadB);
    }

    /**
     * Leader-only work, done every 5 ms (a periodic task, as a pipeline's would be): recorded in
     * the history whenever the holder's lease is valid.
     */
    private void work(String holder, Leadership leadership) {
      workers.scheduleAtFixedRate(
          () -> leadership.currentLease().ifPresent(lease -> history.work(holder, lease)),
          0,
          5,
          TimeUnit.MILLISECONDS);
    }

    Optional<Lease> validLease() {
      return leadA.currentLease().or(leadB::currentLease);
    }

    /**
     * B takes the lock once A's is gone and writes with its greater token; A's old one is refused.
     */
    void bTakesTheLockAndAZombieIsFenced() {
      LockHandle lockB = b.pk().locks().mutex(LOCK).acquire(BOUND);
      assertThat(lockB.fencingToken()).isGreaterThan(lockA.fencingToken());
      assertThat(store.write("b", lockB.fencingToken())).isTrue();
      assertThat(store.write("a-zombie", lockA.fencingToken())).as("a zombie is fenced").isFalse();
      lockB.close();
    }

    /** Exactly one A and one B in the group, seen by the observer and by ZooKeeper. */
    void membersRegisteredExactlyOnce() {
      await()
          .atMost(BOUND)
          .until(
              () ->
                  view.members().stream().map(MemberRecord::id).toList().equals(List.of("a", "b")));
      assertThat(observer.membership().members(GROUP))
          .extracting(MemberRecord::id)
          .containsExactly("a", "b");
      await().atMost(BOUND).until(memberA::isRegistered);
    }

    void checkHistory() {
      stopWork();
      history.check();
    }

    private void stopWork() {
      workers.shutdown();
      try {
        assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      workers.shutdownNow();
      lockA.close();
      a.close();
      b.close();
      observer.close();
    }
  }

  @Test
  void sessionExpiryOfTheHolder(TestCluster cluster) {
    try (World w = new World(cluster)) {
      long sessionBefore = w.a.pk().sessionId();
      w.a.blackhole();
      Lease second = w.leadB.awaitLease(BOUND).orElseThrow();
      assertThat(second.epoch()).isGreaterThan(w.firstLease.epoch());
      assertThat(w.firstLease.isValid()).isFalse();
      assertThat(w.lockA.isValid()).isFalse();
      w.bTakesTheLockAndAZombieIsFenced();
      w.a.restore();
      await().atMost(BOUND).until(() -> w.firstLease.state() == Lease.LeaseState.REVOKED);
      await().atMost(BOUND).until(() -> w.a.pk().sessionId() != sessionBefore);
      w.membersRegisteredExactlyOnce();
      w.checkHistory();
    }
  }

  @Test
  void connectionLossShorterThanTheSessionTimeout(TestCluster cluster) {
    try (World w = new World(cluster)) {
      long sessionBefore = w.a.pk().sessionId();
      w.a.cut();
      await().atMost(BOUND).until(() -> !w.firstLease.isValid() && !w.lockA.isValid());
      w.a.restore();
      // Same session: the lock node is still A's and the lock valid again; leadership is
      // contested anew, so whoever leads now has a greater epoch.
      await().atMost(BOUND).until(w.lockA::isValid);
      assertThat(w.a.pk().sessionId()).isEqualTo(sessionBefore);
      Lease next = await().atMost(BOUND).until(w::validLease, Optional::isPresent).orElseThrow();
      assertThat(next.epoch()).isGreaterThan(w.firstLease.epoch());
      assertThat(w.firstLease.state()).isEqualTo(Lease.LeaseState.REVOKED);
      assertThat(w.store.write("a", w.lockA.fencingToken())).isTrue();
      w.membersRegisteredExactlyOnce();
      w.checkHistory();
    }
  }

  @Test
  void connectionLossLongerThanTheSessionTimeout(TestCluster cluster) {
    try (World w = new World(cluster)) {
      long sessionBefore = w.a.pk().sessionId();
      w.a.cut();
      // The server expires A's session: its member node goes.
      await()
          .atMost(BOUND)
          .until(() -> w.view.members().stream().noneMatch(m -> m.id().equals("a")));
      Lease second = w.leadB.awaitLease(BOUND).orElseThrow();
      assertThat(second.epoch()).isGreaterThan(w.firstLease.epoch());
      w.bTakesTheLockAndAZombieIsFenced();
      w.a.restore();
      await().atMost(BOUND).until(() -> w.a.pk().sessionId() != sessionBefore);
      assertThat(w.lockA.isValid()).isFalse();
      w.membersRegisteredExactlyOnce();
      w.checkHistory();
    }
  }

  @Test
  void serverRestart(TestCluster cluster) {
    try (World w = new World(cluster)) {
      ZooKeeperNode server = cluster.zookeeper().server(1);
      server.stop();
      server.start();
      Lease next = await().atMost(BOUND).until(w::validLease, Optional::isPresent).orElseThrow();
      assertThat(next.epoch()).isGreaterThanOrEqualTo(w.firstLease.epoch());
      if (next != w.firstLease) {
        assertThat(next.epoch()).isGreaterThan(w.firstLease.epoch());
      }
      w.membersRegisteredExactlyOnce();
      w.checkHistory();
    }
  }

  @Test
  void oneOfThreeServersKilled(TestCluster cluster) {
    Assumptions.assumeTrue(quorum(), "needs a quorum");
    try (World w = new World(cluster)) {
      ZooKeeperNode leader = ServerState.leader(cluster);
      leader.stop();
      Lease next = await().atMost(BOUND).until(w::validLease, Optional::isPresent).orElseThrow();
      assertThat(next.epoch()).isGreaterThanOrEqualTo(w.firstLease.epoch());
      w.lockA.close();
      try (LockHandle lockB = w.b.pk().locks().mutex(LOCK).acquire(BOUND)) {
        assertThat(lockB.fencingToken()).isGreaterThan(w.lockA.fencingToken());
      }
      w.membersRegisteredExactlyOnce();
      w.checkHistory();
    }
  }

  @Test
  void twoOfThreeServersKilledThenRestored(TestCluster cluster) {
    Assumptions.assumeTrue(quorum(), "needs a quorum");
    try (World w = new World(cluster)) {
      List<ZooKeeperNode> servers = cluster.zookeeper().servers();
      servers.get(0).stop();
      servers.get(1).stop();
      // No quorum: nobody may lead, nobody holds the lock for certain.
      await().atMost(BOUND).until(() -> w.validLease().isEmpty() && !w.lockA.isValid());
      servers.get(0).start();
      servers.get(1).start();
      Lease next = await().atMost(BOUND).until(w::validLease, Optional::isPresent).orElseThrow();
      assertThat(next.epoch()).isGreaterThan(w.firstLease.epoch());
      w.membersRegisteredExactlyOnce();
      w.checkHistory();
    }
  }
}
