package dev.pipekeeper.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.connect.testing.ChangeLog;
import dev.pipekeeper.connect.testing.ChangeLog.Entry;
import dev.pipekeeper.connect.testing.FourLetterWords;
import dev.pipekeeper.connect.testing.StandaloneWorker;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source connector in a real standalone Connect worker, against the shared embedded ZooKeeper
 * and KRaft broker: a snapshot, live creates, changes and deletes, tombstones, the skipped-version
 * flag, and a restart from the offsets file.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ZooKeeperSourceConnectorIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @TempDir Path dir;

  @Test
  void aSnapshotThenEveryLiveChangeLeavesTheTopicAsZooKeeperIs(TestCluster cluster)
      throws Exception {
    String root = cluster.chroot() + "/tree";
    String topic = cluster.topic("changes");
    try (CuratorFramework zk = client(cluster.zkConnect())) {
      Set<Long> sessions = sessions(cluster);
      zk.create().creatingParentsIfNeeded().forPath(root + "/a/b", bytes("b0"));
      zk.create().forPath(root + "/c", bytes("c0"));
      zk.setData().forPath(root + "/c", bytes("c1"));
      try (StandaloneWorker worker =
          StandaloneWorker.start(cluster.bootstrapServers(), dir.resolve("offsets"))) {
        worker.putConnector("zk", config(cluster.zkConnect(), root, topic));
        await().atMost(BOUND).until(() -> worker.running("zk"));
        ChangeLog snapshot = awaitState(cluster, zk, root, topic);
        assertThat(snapshot.entries())
            .extracting(Entry::path)
            .containsExactly(root, root + "/a", root + "/a/b", root + "/c");
        assertThat(snapshot.entries()).allMatch(e -> e.change().equals("SNAPSHOT"));
        assertThat(snapshot.entries().get(3).data()).isEqualTo("c1");

        zk.create().forPath(root + "/d", bytes("d0"));
        awaitRecords(cluster, topic, 5);
        zk.setData().forPath(root + "/d", bytes("d1"));
        awaitRecords(cluster, topic, 6);
        zk.delete().forPath(root + "/c");
        awaitRecords(cluster, topic, 8);
        zk.create().creatingParentsIfNeeded().forPath(root + "/e/f/g", bytes("g0"));
        zk.delete().deletingChildrenIfNeeded().forPath(root + "/a");
        for (int i = 0; i < 20; i++) {
          zk.setData().forPath(root + "/d", bytes("d" + (i + 2)));
        }
        ChangeLog log = awaitState(cluster, zk, root, topic);
        log.checkInvariants();

        List<Entry> live = log.after(4);
        assertThat(live.subList(0, 4))
            .extracting(Entry::path, Entry::change)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple(root + "/d", "CREATED"),
                org.assertj.core.groups.Tuple.tuple(root + "/d", "CHANGED"),
                org.assertj.core.groups.Tuple.tuple(root + "/c", "DELETED"),
                org.assertj.core.groups.Tuple.tuple(root + "/c", null));
        assertThat(live.get(1).versionsSkipped()).isZero();
        assertThat(log.entries())
            .filteredOn(e -> e.path().equals(root + "/a/b") && e.tombstone())
            .hasSize(1);
        assertThat(log.state()).doesNotContainKeys(root + "/a", root + "/a/b", root + "/c");
      }
      // a stopped worker leaves no session (and so no watch) behind
      await().atMost(BOUND).until(() -> sessions.containsAll(sessions(cluster)));
    }
  }

  @Test
  void theJsonFormatParsesTheDataAndFlagsWhatIsNotJson(TestCluster cluster) throws Exception {
    String root = cluster.chroot() + "/json";
    String topic = cluster.topic("changes");
    try (CuratorFramework zk = client(cluster.zkConnect())) {
      zk.create().creatingParentsIfNeeded().forPath(root + "/good", bytes("{ \"a\" : [1, 2] }"));
      zk.create().forPath(root + "/bad", bytes("{not json"));
      try (StandaloneWorker worker =
          StandaloneWorker.start(cluster.bootstrapServers(), dir.resolve("offsets"))) {
        Map<String, String> config = config(cluster.zkConnect(), root, topic);
        config.put(ZooKeeperSourceConfig.VALUE_FORMAT_CONFIG, "json");
        worker.putConnector("zk", config);
        awaitRecords(cluster, topic, 3);
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> records =
            dev.pipekeeper.embedded.junit.TopicReader.readCommitted(
                cluster.bootstrapServers(), topic);
        Map<String, org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> byPath =
            new HashMap<>();
        records.forEach(r -> byPath.put(r.key(), r));
        assertThat(byPath.get(root + "/good").value()).contains("\"data\":\"{\\\"a\\\":[1,2]}\"");
        assertThat(byPath.get(root + "/bad").value()).contains("\"data\":null");
        assertThat(byPath.get(root + "/bad").headers().lastHeader("pipekeeper.data.error"))
            .isNotNull();
        assertThat(byPath.get(root + "/good").headers().lastHeader("pipekeeper.data.error"))
            .isNull();
      }
    }
  }

  @Test
  void twoSubtreesOnTwoTasksAndAnUnreachableEnsembleRefusedByTheWorker(TestCluster cluster)
      throws Exception {
    String one = cluster.chroot() + "/one";
    String two = cluster.chroot() + "/two";
    String topic = cluster.topic("changes");
    try (CuratorFramework zk = client(cluster.zkConnect());
        StandaloneWorker worker =
            StandaloneWorker.start(cluster.bootstrapServers(), dir.resolve("offsets"))) {
      zk.create().creatingParentsIfNeeded().forPath(one + "/x", bytes("1"));
      zk.create().creatingParentsIfNeeded().forPath(two + "/y", bytes("2"));
      Map<String, String> config = config(cluster.zkConnect(), one + "," + two, topic);
      config.put("tasks.max", "2");
      worker.putConnector("zk", config);
      await().atMost(BOUND).until(() -> worker.running("zk"));
      assertThat(worker.herder().connectorStatus("zk").tasks()).hasSize(2);
      zk.setData().forPath(two + "/y", bytes("3"));
      zk.create().forPath(one + "/z", bytes("4"));
      await()
          .atMost(BOUND)
          .until(
              () -> {
                Map<String, ChangeLog.NodeState> expected = new java.util.TreeMap<>();
                expected.putAll(ChangeLog.zooKeeper(zk, one));
                expected.putAll(ChangeLog.zooKeeper(zk, two));
                return readTopic(cluster, topic).state().equals(expected);
              });
      readTopic(cluster, topic).checkInvariants();

      int port;
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      Map<String, String> unreachable = config("127.0.0.1:" + port, one, topic);
      unreachable.put(ZooKeeperSourceConfig.CONNECTION_TIMEOUT_CONFIG, "500");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> worker.putConnector("unreachable", unreachable))
          .hasMessageContaining("no ZooKeeper server of 127.0.0.1:" + port);
      Map<String, String> relative = config(cluster.zkConnect(), "relative", topic);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> worker.putConnector("relative", relative))
          .hasMessageContaining("absolute");
    }
  }

  static Set<Long> sessions(TestCluster cluster) {
    return FourLetterWords.sessions("127.0.0.1", cluster.zookeeper().server(1).clientPort());
  }

  @Test
  void aRestartFromOffsetsEmitsWhatChangedWhileStoppedAndNothingTwice(TestCluster cluster)
      throws Exception {
    String root = cluster.chroot() + "/tree";
    String topic = cluster.topic("changes");
    Path offsets = dir.resolve("offsets");
    try (CuratorFramework zk = client(cluster.zkConnect())) {
      zk.create().creatingParentsIfNeeded().forPath(root + "/kept", bytes("k"));
      zk.create().forPath(root + "/changed", bytes("v0"));
      zk.create().forPath(root + "/deleted", bytes("x"));
      try (StandaloneWorker worker = StandaloneWorker.start(cluster.bootstrapServers(), offsets)) {
        worker.putConnector("zk", config(cluster.zkConnect(), root, topic));
        awaitState(cluster, zk, root, topic);
      }
      zk.setData().forPath(root + "/changed", bytes("v1"));
      zk.setData().forPath(root + "/changed", bytes("v2"));
      zk.setData().forPath(root + "/changed", bytes("v3"));
      zk.delete().forPath(root + "/deleted");
      zk.create().forPath(root + "/created", bytes("n"));
      try (StandaloneWorker worker = StandaloneWorker.start(cluster.bootstrapServers(), offsets)) {
        // the connector's config is not kept by a standalone worker: given again, as a user does
        worker.putConnector("zk", config(cluster.zkConnect(), root, topic));
        ChangeLog log = awaitState(cluster, zk, root, topic);
        log.checkInvariants();
        assertThat(log.entries()).hasSize(4 + 4);
        assertThat(log.after(4))
            .extracting(Entry::path, Entry::change, Entry::versionsSkipped)
            .containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(root + "/changed", "CHANGED", 2),
                org.assertj.core.groups.Tuple.tuple(root + "/deleted", "DELETED", 0),
                org.assertj.core.groups.Tuple.tuple(root + "/deleted", null, 0),
                org.assertj.core.groups.Tuple.tuple(root + "/created", "CREATED", 0));
        assertThat(log.after(4))
            .filteredOn(e -> e.path().equals(root + "/changed"))
            .singleElement()
            .extracting(Entry::skippedHeader)
            .isEqualTo("2");
      }
      // a third start with nothing changed emits nothing
      try (StandaloneWorker worker = StandaloneWorker.start(cluster.bootstrapServers(), offsets)) {
        worker.putConnector("zk", config(cluster.zkConnect(), root, topic));
        await().atMost(BOUND).until(() -> worker.running("zk"));
        zk.create().forPath(root + "/marker", bytes("m"));
        ChangeLog log = awaitState(cluster, zk, root, topic);
        assertThat(log.after(8)).extracting(Entry::path).containsExactly(root + "/marker");
      }
    }
  }

  static Map<String, String> config(String connect, String root, String topic) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ZooKeeperSourceConnector.class.getName());
    config.put("tasks.max", "1");
    config.put(ZooKeeperSourceConfig.ZOOKEEPER_CONNECT_CONFIG, connect);
    config.put(ZooKeeperSourceConfig.SUBTREES_CONFIG, root);
    config.put(ZooKeeperSourceConfig.TOPIC_CONFIG, topic);
    config.put(ZooKeeperSourceConfig.VALUE_FORMAT_CONFIG, "string");
    return config;
  }

  /** Waits until the topic's state is ZooKeeper's under {@code root}; returns the whole topic. */
  static ChangeLog awaitState(TestCluster cluster, CuratorFramework zk, String root, String topic)
      throws Exception {
    Map<String, ChangeLog.NodeState> expected = ChangeLog.zooKeeper(zk, root);
    ChangeLog[] log = new ChangeLog[1];
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              log[0] = readTopic(cluster, topic);
              return log[0].state().equals(expected);
            });
    return log[0];
  }

  static void awaitRecords(TestCluster cluster, String topic, int count) {
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> readTopic(cluster, topic).entries().size() >= count);
  }

  static ChangeLog readTopic(TestCluster cluster, String topic) {
    try {
      return ChangeLog.read(cluster.bootstrapServers(), topic);
    } catch (RuntimeException e) {
      return ChangeLog.empty(); // the topic does not exist yet
    }
  }

  static CuratorFramework client(String connect) {
    CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
    client.start();
    try {
      // connected, so its session is among those a test sees before it starts a worker
      if (!client.blockUntilConnected(
          (int) BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("no connection to " + connect);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return client;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
