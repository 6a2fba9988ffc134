package dev.pipekeeper.embedded.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.ZooKeeperNode;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
@ZooKeeperQuorum
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuorumExtensionIT {

  @Test
  @Order(1)
  void quorumTestsGetThreeServers(TestCluster cluster) {
    assertThat(cluster.zookeeper().serverCount()).isEqualTo(3);
    cluster.zookeeper().server(2).stop();
    assertThat(cluster.zookeeper().server(2).isRunning()).isFalse();
  }

  @Test
  @Order(2)
  void aServerStoppedByAnEarlierTestIsRunningAgain(TestCluster cluster) {
    assertThat(cluster.zookeeper().servers()).allMatch(ZooKeeperNode::isRunning);
  }
}
