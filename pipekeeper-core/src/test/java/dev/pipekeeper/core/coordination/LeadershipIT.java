package dev.pipekeeper.core.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.ClusterInspector;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.LeaseHistory;
import dev.pipekeeper.core.testing.ServerState;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
}
