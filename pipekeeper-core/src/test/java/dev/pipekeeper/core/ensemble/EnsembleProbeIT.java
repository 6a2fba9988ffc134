package dev.pipekeeper.core.ensemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.ZooKeeperQuorum;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

class EnsembleProbeIT {
  private final EnsembleProbe probe = new EnsembleProbe(Duration.ofSeconds(2));

  @Test
  void reportsAnUnreachableServer() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      port = socket.getLocalPort();
    }
    ServerStatus status = probe.probe("127.0.0.1:" + port).get(0);
    assertThat(status.reachable()).isFalse();
    assertThat(status.error()).contains("connection refused");
    assertThat(status.address()).isEqualTo("127.0.0.1:" + port);
  }

  @Test
  void readsARefusedCommand() {
    ServerStatus status =
        EnsembleProbe.parseSrvr(
            "zk:2181", "srvr is not executed because it is not in the whitelist.\n");
    assertThat(status.reachable()).isTrue();
    assertThat(status.serving()).isFalse();
    assertThat(status.error()).get().asString().contains("whitelist");
  }

  @Test
  void readsANonServingPeer() {
    ServerStatus status =
        EnsembleProbe.parseSrvr(
            "zk:2181", "This ZooKeeper instance is not currently serving requests\n");
    assertThat(status.serving()).isFalse();
    assertThat(status.mode()).isEmpty();
  }

  @Nested
  @ExtendWith(EmbeddedClusterExtension.class)
  class Single {
    @Test
    void reportsVersionAndModeFromTheServerItself(TestCluster cluster) {
      List<ServerStatus> statuses = probe.probe(cluster.zkConnectWithChroot());
      assertThat(statuses).hasSize(1);
      ServerStatus status = statuses.get(0);
      assertThat(status.serving()).isTrue();
      assertThat(status.version()).contains("3.9.5");
      assertThat(status.mode()).contains("standalone");
      assertThat(status.fields()).containsKey("Zxid");
    }
  }

  @Nested
  @ExtendWith(EmbeddedClusterExtension.class)
  @ZooKeeperQuorum
  class Quorum {
    @Test
    void probesAgainOnTheThreadsItWasGiven(TestCluster cluster) {
      java.util.concurrent.atomic.AtomicInteger threads =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(
              3,
              r -> {
                threads.incrementAndGet();
                return new Thread(r, "probe-test");
              });
      try {
        EnsembleProbe reused = new EnsembleProbe(Duration.ofSeconds(2), pool);
        for (int i = 0; i < 5; i++) {
          assertThat(reused.probe(cluster.zkConnect()))
              .hasSize(3)
              .allSatisfy(status -> assertThat(status.reachable()).isTrue());
        }
        // all on the pool it was given (which never makes more than its 3), none of its own
        assertThat(threads.get()).isBetween(1, 3);
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void reportsEveryServerOfAQuorumAndOneThatIsDown(TestCluster cluster) {
      cluster.zookeeper().server(3).stop();
      // If server 3 led, the other two elect a new leader first.
      await()
          .atMost(TestTimeouts.scaled(Duration.ofSeconds(30)))
          .untilAsserted(
              () -> {
                List<ServerStatus> statuses = probe.probe(cluster.zkConnect());
                assertThat(statuses).hasSize(3);
                assertThat(statuses.subList(0, 2)).allMatch(ServerStatus::serving);
                assertThat(statuses.subList(0, 2).stream().map(s -> s.mode().orElseThrow()))
                    .containsExactlyInAnyOrder("leader", "follower");
                assertThat(statuses.get(2).reachable()).isFalse();
              });
    }
  }
}
