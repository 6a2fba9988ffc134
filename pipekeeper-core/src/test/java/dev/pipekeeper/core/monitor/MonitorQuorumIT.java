package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.RecordingSink;
import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.ZooKeeperQuorum;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ensemble rule against a real 3-server quorum: a server stopped, then started again. */
@ExtendWith(EmbeddedClusterExtension.class)
@ZooKeeperQuorum
class MonitorQuorumIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));

  @Test
  void aStoppedServerFiresTheEnsembleRuleAndItsRestartResolvesIt(TestCluster cluster)
      throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor")) {
      MonitorIT.setRules(pk, "[{\"name\": \"zk\", \"kind\": \"zookeeper\", \"for\": \"500ms\"}]");
      try (Monitor monitor = MonitorIT.monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        MonitorIT.evaluations(monitor, 3);
        assertThat(monitor.alerts()).isEmpty(); // three servers serving, one of them leading
        ZooKeeperNode stopped = cluster.zookeeper().servers().get(0);
        String address =
            java.util.Arrays.stream(cluster.zkConnect().split(","))
                .filter(a -> a.endsWith(":" + stopped.clientPort()))
                .findFirst()
                .orElseThrow();
        String key = "zk/server/" + address;
        stopped.stop();
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        Alert down = MonitorIT.alert(monitor, key);
        assertThat(down.summary()).contains("unreachable");
        assertThat(down.labels()).containsEntry("server", address);
        stopped.start();
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
        assertThat(sink.states(key)).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
        assertThat(sink.keys()).containsExactly(key); // the quorum kept its leader throughout
      }
    }
  }
}
