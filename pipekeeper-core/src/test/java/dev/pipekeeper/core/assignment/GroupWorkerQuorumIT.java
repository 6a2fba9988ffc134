package dev.pipekeeper.core.assignment;

import static dev.pipekeeper.core.testing.WorkerFixture.BOUND;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.testing.ServerState;
import dev.pipekeeper.core.testing.WorkerFixture;
import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.ZooKeeperQuorum;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Workers on a 3-server quorum while servers go away: no double ownership at any moment. */
@ExtendWith(EmbeddedClusterExtension.class)
@ZooKeeperQuorum
class GroupWorkerQuorumIT {

  @Test
  void workSurvivesOneServerLostPausesWithoutQuorumAndResumesAfter(TestCluster cluster) {
    try (WorkerFixture w = new WorkerFixture(cluster)) {
      Pipekeeper a = w.connect("a");
      w.units(a, 9);
      w.worker(a, "a");
      w.worker(w.connect("b"), "b");
      w.worker(w.connect("c"), "c");
      w.awaitSpread(9, "a", "b", "c");

      List<ZooKeeperNode> servers = cluster.zookeeper().servers();
      ZooKeeperNode leader = ServerState.leader(cluster);
      leader.stop(); // the quorum elects another leader; the clients move to the others
      w.awaitSpread(9, "a", "b", "c");

      List<ZooKeeperNode> others = servers.stream().filter(n -> n != leader).toList();
      others.get(0).stop(); // no quorum: every member is suspended and stops its units
      await().atMost(BOUND).until(() -> w.log().running().isEmpty());

      leader.start();
      others.get(0).start();
      w.awaitSpread(9, "a", "b", "c");
    }
  }
}
