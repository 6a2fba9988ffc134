package dev.pipekeeper.core.assignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class AssignmentsIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));

  @Test
  void onlyTheCurrentLeaderPublishesAndGenerationsIncrease(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      Assignments fromA = a.assignments("ingest");
      Assignments fromB = b.assignments("ingest");
      assertThat(fromA.current()).isEmpty();

      Leadership leadA = a.leadership("ingest-leader").start();
      Lease leaseA = leadA.awaitLease(BOUND).orElseThrow();
      Leadership leadB = b.leadership("ingest-leader").start();
      Assignment first = fromA.publish(leaseA, Map.of("tenant-1", "a", "tenant-2", "b"));
      assertThat(first.generation()).isEqualTo(1);
      assertThat(fromB.current()).contains(first);
      assertThat(fromA.publish(leaseA, Map.of("tenant-1", "a")).generation()).isEqualTo(2);

      leadA.close(); // B takes over with a greater epoch
      Lease leaseB = leadB.awaitLease(BOUND).orElseThrow();
      assertThatThrownBy(() -> fromA.publish(leaseA, Map.of("tenant-1", "zombie")))
          .isInstanceOf(FencedException.class)
          .hasMessageContaining("not valid");

      Assignment third = fromB.publish(leaseB, Map.of("tenant-1", "b"));
      assertThat(third.generation()).isEqualTo(3);
      assertThat(third.epoch()).isEqualTo(leaseB.epoch()).isGreaterThan(leaseA.epoch());
      assertThat(third.leader()).isEqualTo("b");
      assertThat(fromA.current().orElseThrow().owners())
          .containsExactly(Map.entry("tenant-1", "b"));
    }
  }

  @Test
  void aLeaseWhoseEpochWasSupersededIsFencedInsideZooKeeper(TestCluster cluster) throws Exception {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      Lease leaseA = a.leadership("r").start().awaitLease(BOUND).orElseThrow();
      a.assignments("g").publish(leaseA, Map.of("u", "a"));
      // A successor's term began while A has not heard of it yet (a partition, a long pause):
      // the epoch moved on in ZooKeeper, A's lease still looks valid locally.
      raw.setData()
          .forPath(
              ZkLayout.root(cluster.cluster()) + ZkLayout.epoch("r"),
              Long.toString(leaseA.epoch() + 1).getBytes(StandardCharsets.UTF_8));
      assertThat(leaseA.isValid()).isTrue();
      assertThatThrownBy(() -> a.assignments("g").publish(leaseA, Map.of("u", "zombie")))
          .isInstanceOf(FencedException.class)
          .hasMessageContaining("no longer the current term");
      assertThat(a.assignments("g").current().orElseThrow().owners()).containsEntry("u", "a");
    }
  }
}
