package dev.pipekeeper.core.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.ClusterInspector;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.core.testing.LeaseHistory;
import dev.pipekeeper.core.testing.ServerState;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class LeadershipIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));

  @Test
  void oneLeaderAtATimeWithStrictlyIncreasingEpochs(TestCluster cluster) {
    LeaseHistory history = new LeaseHistory();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b");
        Pipekeeper c = Clients.connect(cluster, "c")) {
      Leadership la = a.leadership("scheduler").addListener(history.listener("a"));
      Leadership lb = b.leadership("scheduler").addListener(history.listener("b"));
      Leadership lc = c.leadership("scheduler").addListener(history.listener("c"));
      la.onGranted(lease -> threads.add(Thread.currentThread().getName()));
      la.start();
      Lease first = la.awaitLease(BOUND).orElseThrow();
      lb.start();
      lc.start();
      assertThat(first.epoch()).isEqualTo(1);
      assertThat(first.holder()).isEqualTo("a");
      assertThat(first.confirm()).isTrue();
      assertThat(lb.currentLease()).isEmpty();

      la.close(); // graceful: the next in line takes over
      await()
          .atMost(BOUND)
          .until(() -> lb.currentLease().isPresent() || lc.currentLease().isPresent());
      Lease second = lb.currentLease().or(lc::currentLease).orElseThrow();
      assertThat(second.epoch()).isEqualTo(2);
      assertThat(first.isValid()).isFalse();
      assertThat(first.confirm()).as("an old epoch is fenced").isFalse();
      assertThat(second.confirm()).isTrue();

      Leadership holder = second.holder().equals("b") ? lb : lc;
      Leadership other = holder == lb ? lc : lb;
      holder.resign();
      assertThat(second.state()).isEqualTo(Lease.LeaseState.REVOKED);
      Lease third = other.awaitLease(BOUND).orElseThrow();
      assertThat(third.epoch()).isEqualTo(3);

      ClusterInspector inspector = a.inspector();
      RoleInfo role = inspector.roles().get(0);
      assertThat(role.role()).isEqualTo("scheduler");
      assertThat(role.epoch()).isEqualTo(3);
      assertThat(role.leader()).contains(third.holder());
      assertThat(role.contenders()).hasSize(2).first().isEqualTo(third.holder());
    }
    assertThat(threads).allMatch(name -> name.startsWith("pipekeeper-leadership-scheduler"));
    await()
        .atMost(BOUND)
        .until(
            () -> history.events().stream().filter(e -> e.kind().equals("revoked")).count() >= 3);
    history.check();
  }

  @Test
  void closingLeavesNoWatchOrEphemeralNode(TestCluster cluster) throws Exception {
    try (Pipekeeper a = Clients.connect(cluster, "a")) {
      long session = a.sessionId();
      Leadership leadership = a.leadership("cleanup").start();
      leadership.awaitLease(BOUND).orElseThrow();
      assertThat(ServerState.ephemeralsOf(cluster.zkConnect(), session)).hasSize(1);
      leadership.close();
      await()
          .atMost(BOUND)
          .untilAsserted(
              () -> {
                assertThat(ServerState.ephemeralsOf(cluster.zkConnect(), session)).isEmpty();
                // Curator's ensemble tracker keeps its own watch on /zookeeper/config.
                assertThat(ServerState.watchesOf(cluster.zkConnect(), session))
                    .allMatch(path -> path.startsWith("/zookeeper/"));
              });
      assertThat(Clients.threadsNamed("pipekeeper-leadership-cleanup")).isZero();
    }
  }

  @Test
  void aRoleRetiresWhenItsLastContenderClosesAndAContenderUnretiresIt(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      Leadership la = a.leadership("nightly").start();
      la.awaitLease(BOUND).orElseThrow();
      Leadership lb = b.leadership("nightly").start();
      la.close(); // b contends still: not retired
      lb.awaitLease(BOUND).orElseThrow();
      assertThat(role(a, "nightly").retiredAt()).isEmpty();
      lb.close(); // the last one: retired
      await().atMost(BOUND).until(() -> role(a, "nightly").contenders().isEmpty());
      assertThat(role(a, "nightly").retiredAt()).isPresent();
      Leadership again = a.leadership("nightly").start();
      assertThat(again.awaitLease(BOUND).orElseThrow().epoch()).isEqualTo(3);
      assertThat(role(a, "nightly").retiredAt()).isEmpty();
      again.close();
    }
  }

  @Test
  void aRoleIsRetiredExplicitlyOnlyWithoutContendersUnlessForcedAndItsEpochsGoOn(
      TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper operator = Clients.connect(cluster, "operator")) {
      Leadership la = a.leadership("reports").start();
      assertThat(la.awaitLease(BOUND).orElseThrow().epoch()).isEqualTo(1);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> operator.retireRole("reports", false))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage(
              "role reports has 1 contender (a); retire it once they have closed, or with --force"
                  + " (a live contender contends again)");
      assertThat(role(operator, "reports").leader()).contains("a");
      la.close(); // its node is gone when close returns
      RoleRetirement retired = operator.retireRole("reports", false);
      assertThat(retired.epoch()).isEqualTo(1);
      assertThat(retired.explicit()).isTrue();
      assertThat(operator.inspector().roles()).extracting(RoleInfo::role).doesNotContain("reports");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> operator.retireRole("reports", false))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("there is no role reports");
      // a new contender starts it again, its epoch after the one it ended at (fencing holds)
      Leadership back = a.leadership("reports").start();
      assertThat(back.awaitLease(BOUND).orElseThrow().epoch()).isEqualTo(2);
      RoleRetirement forced = operator.retireRole("reports", true);
      assertThat(forced.contenders()).containsExactly("a");
      assertThat(forced.epoch()).isEqualTo(2);
      back.close();
    }
  }

  private static RoleInfo role(Pipekeeper pk, String role) {
    return pk.inspector().roles().stream()
        .filter(r -> r.role().equals(role))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Curator's ConnectionStateManager declares the session LOST once it has been suspended for the
   * session timeout, and the client starts a new session, while the server may not have expired the
   * old one yet: the latch, looking for its node in the new session, still finds the old session's
   * node and waits behind the leader with it; when the server expires the old session the node
   * goes, and the contender is out of the election with no node at all. Pipekeeper contends with a
   * new latch after a lost session.
   */
  @Test
  void aContenderWhoseSessionWasLostContendsWithANodeOfItsNewSession(TestCluster cluster)
      throws Exception {
    String role = "standby";
    String latchPath = ZkLayout.root(cluster.cluster()) + ZkLayout.leaders(role);
    try (Pipekeeper a = Clients.connect(cluster, "a");
        FaultyClient c = FaultyClient.connect(cluster, "c");
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(
                cluster.zkConnect(), new ExponentialBackoffRetry(100, 3))) {
      raw.start();
      Leadership la = a.leadership(role).start();
      Lease first = la.awaitLease(BOUND).orElseThrow();
      Leadership lc = c.pk().leadership(role).start();
      await().atMost(BOUND).until(() -> latchNodes(raw, latchPath).size() == 2);
      long before = c.pk().sessionId();
      AtomicBoolean lost = new AtomicBoolean();
      c.pk()
          .onConnectionStateChange(
              state -> {
                if (state == ConnectionState.LOST) {
                  lost.set(true);
                }
              });
      c.cut();
      await().atMost(BOUND).untilTrue(lost);
      c.restore(); // at once: the server may still hold the old session and its node
      await().atMost(BOUND).until(() -> c.pk().sessionId() != before && c.pk().sessionId() != 0);
      await()
          .atMost(BOUND)
          .until(
              () -> {
                Map<String, Long> nodes = latchNodes(raw, latchPath);
                return nodes.size() == 2
                    && nodes.containsKey("a")
                    && nodes.get("c") != null
                    && nodes.get("c") == c.pk().sessionId();
              });
      la.close();
      Lease next = lc.awaitLease(BOUND).orElseThrow();
      assertThat(next.epoch()).isGreaterThan(first.epoch());
      lc.close();
    }
  }

  /** The latch nodes under {@code path}: each one's data (the contender's id) and its owner. */
  private static Map<String, Long> latchNodes(CuratorFramework raw, String path) throws Exception {
    Map<String, Long> nodes = new TreeMap<>();
    for (String child : raw.getChildren().forPath(path)) {
      Stat stat = new Stat();
      try {
        byte[] data = raw.getData().storingStatIn(stat).forPath(path + "/" + child);
        nodes.merge(
            new String(data, StandardCharsets.UTF_8), stat.getEphemeralOwner(), (x, y) -> -1L);
      } catch (KeeperException.NoNodeException gone) {
        // deleted between the listing and the read
      }
    }
    return nodes;
  }
}
