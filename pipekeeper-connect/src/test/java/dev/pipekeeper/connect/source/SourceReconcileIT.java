package dev.pipekeeper.connect.source;

import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.BOUND;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.awaitState;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.client;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.connect.testing.ChangeLog;
import dev.pipekeeper.connect.testing.FourLetterWords;
import dev.pipekeeper.connect.testing.OperationStream;
import dev.pipekeeper.connect.testing.StandaloneWorker;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source connector reaches ZooKeeper through a {@link TcpProxy} that the test cuts (a reconnect
 * in the same session) and blackholes past the session timeout (an expiry), while a seeded random
 * stream of creates, sets and deletes goes on: persistent-watch events while the client is away are
 * lost, so only the reconcile after each return can bring the topic to the model. The topic must
 * end as the model and ZooKeeper are, with every stream invariant kept.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class SourceReconcileIT {
  @TempDir Path dir;

  @Test
  void aReconnectAndASessionExpiryInTheMiddleOfAStreamLoseNoChange(TestCluster cluster)
      throws Exception {
    long seed = Seeds.seed("property.seed", "SourceReconcileIT");
    String root = cluster.chroot() + "/tree";
    String topic = cluster.topic("changes");
    ZooKeeperNode server = cluster.zookeeper().server(1);
    try (CuratorFramework zk = client(cluster.zkConnect());
        TcpProxy proxy = TcpProxy.start("127.0.0.1", server.clientPort());
        StandaloneWorker worker =
            StandaloneWorker.start(cluster.bootstrapServers(), dir.resolve("offsets"))) {
      OperationStream ops = new OperationStream(zk, root, seed);
      ops.run(30);
      Set<Long> before = FourLetterWords.sessions("127.0.0.1", server.clientPort());
      Map<String, String> config = config(proxy.address(), root, topic);
      // long enough that the cut (a few operations) stays inside the session on a loaded machine
      config.put(ZooKeeperSourceConfig.SESSION_TIMEOUT_CONFIG, "6000");
      config.put(ZooKeeperSourceConfig.CONNECTION_TIMEOUT_CONFIG, "2000");
      worker.putConnector("zk", config);
      await().atMost(BOUND).until(() -> worker.running("zk"));
      awaitModel(cluster, zk, root, topic, ops);
      Set<Long> connector = new HashSet<>();
      await()
          .atMost(BOUND)
          .until(
              () -> {
                connector.clear();
                connector.addAll(FourLetterWords.sessions("127.0.0.1", server.clientPort()));
                connector.removeAll(before);
                return connector.size() == 1;
              });

      ops.run(30);
      proxy.cut(); // a reconnect in the same session
      ops.run(10);
      proxy.restore();
      ops.run(30);
      awaitModel(cluster, zk, root, topic, ops);
      assertThat(FourLetterWords.sessions("127.0.0.1", server.clientPort()))
          .as("the same session after a cut")
          .containsAll(connector);

      proxy.blackhole(); // past the session timeout: the server expires the session
      ops.run(30);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  FourLetterWords.sessions("127.0.0.1", server.clientPort()).stream()
                      .noneMatch(connector::contains));
      ops.run(30);
      proxy.restore();
      ops.run(30);
      ChangeLog log = awaitModel(cluster, zk, root, topic, ops);
      log.checkInvariants();
      assertThat(log.entries()).anyMatch(e -> e.versionsSkipped() > 0);
    }
  }

  @Test
  void aRandomStreamAcrossRestartsEndsAsTheModelWithNothingTwice(TestCluster cluster)
      throws Exception {
    long seed = Seeds.seed("property.seed", "SourceReconcileIT restarts");
    String root = cluster.chroot() + "/tree";
    String topic = cluster.topic("changes");
    Path offsets = dir.resolve("offsets");
    try (CuratorFramework zk = client(cluster.zkConnect())) {
      OperationStream ops = new OperationStream(zk, root, seed);
      for (int round = 0; round < 3; round++) {
        ops.run(20); // while stopped (before the first start: the snapshot's)
        try (StandaloneWorker worker =
            StandaloneWorker.start(cluster.bootstrapServers(), offsets)) {
          worker.putConnector("zk", config(cluster.zkConnect(), root, topic));
          await().atMost(BOUND).until(() -> worker.running("zk"));
          ops.run(20); // while running; the stop comes in the middle of what they cause
        }
      }
      try (StandaloneWorker worker = StandaloneWorker.start(cluster.bootstrapServers(), offsets)) {
        worker.putConnector("zk", config(cluster.zkConnect(), root, topic));
        // the invariants fail on any record emitted twice: a second CREATED or DELETED, a
        // tombstone without its delete, a CHANGED that does not move mzxid on
        awaitModel(cluster, zk, root, topic, ops).checkInvariants();
      }
    }
  }

  /** Waits until ZooKeeper, the model and the topic agree; returns the topic. */
  private static ChangeLog awaitModel(
      TestCluster cluster, CuratorFramework zk, String root, String topic, OperationStream ops)
      throws Exception {
    Map<String, String> zookeeper = new TreeMap<>();
    ChangeLog.zooKeeper(zk, root).forEach((path, node) -> zookeeper.put(path, node.data()));
    assertThat(zookeeper).as("ZooKeeper against the model").isEqualTo(new TreeMap<>(ops.model()));
    return awaitState(cluster, zk, root, topic);
  }
}
