package dev.pipekeeper.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.connect.testing.SinkFixture;
import dev.pipekeeper.connect.testing.StandaloneWorker;
import dev.pipekeeper.core.security.AclModel;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink connector in a real standalone Connect worker, against the shared embedded ZooKeeper and
 * KRaft broker: commands applied, compare-and-set conflicts reported (and a batch with one applied
 * not at all), refused records in the dead-letter topic with their reason, every outcome in the
 * result topic, and a restart whose Connect offsets were lost applying nothing twice.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ZooKeeperSinkConnectorIT {
  @TempDir Path dir;

  @Test
  void commandsAreAppliedAndConflictsReportedNotRetried(TestCluster cluster) throws Exception {
    String app = cluster.chroot() + "/app";
    try (CuratorFramework zk = client(cluster);
        SinkFixture sink = new SinkFixture(cluster, app);
        StandaloneWorker worker =
            StandaloneWorker.start(cluster.bootstrapServers(), dir.resolve("offsets"))) {
      worker.putConnector("sink", sink.config(ZooKeeperSinkConnector.class.getName()));
      await().atMost(SinkFixture.BOUND).until(() -> worker.running("sink"));
      sink.send(
          create(app + "/a/b", "one"),
          set(app + "/a/b", "two", 0),
          set(app + "/a/b", "stale", 0), // conflict: it is at version 1
          create(app + "/a/b", "again"), // conflict: it exists
          "{\"batch\":[" + create(app + "/c", "c") + "," + set(app + "/a/b", "three", 1) + "]}",
          "{\"batch\":["
              + create(app + "/d", "d")
              + ","
              + "{\"op\":\"delete\",\"path\":\""
              + app
              + "/missing\"}]}", // the delete fails: the create is not applied either
          "{\"op\":\"delete\",\"path\":\"" + app + "/c\",\"expectedVersion\":0}");
      List<JsonNode> outcomes = sink.awaitOutcomes(7);
      assertThat(outcomes)
          .extracting(o -> o.get("outcome").asText())
          .containsExactly(
              "applied", "applied", "conflict", "conflict", "applied", "conflict", "applied");
      assertThat(outcomes.get(2).get("reason").asText())
          .contains("set " + app + "/a/b@0", "not at the expected version 0", "at version 1");
      assertThat(outcomes.get(3).get("reason").asText()).contains("exists already");
      assertThat(outcomes.get(5).get("reason").asText())
          .contains("the batch was not applied", "delete " + app + "/missing");
      assertThat(outcomes)
          .extracting(o -> o.get("offset").asLong())
          .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);

      Stat stat = new Stat();
      assertThat(text(zk.getData().storingStatIn(stat).forPath(app + "/a/b"))).isEqualTo("three");
      assertThat(stat.getVersion()).isEqualTo(2);
      assertThat(stat.getEphemeralOwner()).isZero();
      assertThat(zk.checkExists().forPath(app + "/d")).isNull();
      assertThat(zk.checkExists().forPath(app + "/c")).isNull();
      // without a client file the nodes are open, as Pipekeeper's own are
      assertThat(zk.getACL().forPath(app + "/a/b")).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
      // the offsets node says the next record to apply, and Connect commits the same
      assertThat(text(zk.getData().forPath(sink.offsets + "/" + sink.commands + "-0")))
          .contains("\"next\":7");
      await().atMost(SinkFixture.BOUND).until(() -> sink.committed("sink") == 7);
      assertThat(sink.deadLetters()).isEmpty();
    }
  }

  @Test
  void refusedRecordsGoToTheDeadLetterTopicWithTheReason(TestCluster cluster) throws Exception {
    String app = cluster.chroot() + "/app";
    try (CuratorFramework zk = client(cluster);
        SinkFixture sink = new SinkFixture(cluster, app);
        StandaloneWorker worker =
            StandaloneWorker.start(cluster.bootstrapServers(), dir.resolve("offsets"))) {
      Map<String, String> config = sink.config(ZooKeeperSinkConnector.class.getName());
      config.put(ZooKeeperSinkConfig.MAX_COMMAND_BYTES_CONFIG, "200");
      worker.putConnector("sink", config);
      await().atMost(SinkFixture.BOUND).until(() -> worker.running("sink"));
      sink.send(
          create(cluster.chroot() + "/elsewhere", "x"),
          "not json at all",
          "{\"op\":\"rename\",\"path\":\"" + app + "/a\"}",
          create(app + "/big", "x".repeat(300)),
          create(app + "/fine", "ok"),
          "{\"op\":\"create\",\"path\":\"" + app + "/e\",\"ephemeral\":true}");
      List<JsonNode> outcomes = sink.awaitOutcomes(6);
      assertThat(outcomes)
          .extracting(o -> o.get("outcome").asText())
          .containsExactly("rejected", "rejected", "rejected", "rejected", "applied", "rejected");
      await().atMost(SinkFixture.BOUND).until(() -> sink.deadLetters().size() == 5);
      List<ConsumerRecord<String, String>> dead = sink.deadLetters();
      assertThat(dead)
          .extracting(r -> SinkFixture.header(r, ZooKeeperSinkTask.REASON_HEADER))
          .satisfiesExactly(
              r -> assertThat(r).contains("outside the connector's subtree " + app),
              r -> assertThat(r).contains("not JSON"),
              r -> assertThat(r).contains("not create, set or delete"),
              r -> assertThat(r).contains("max.command.bytes"),
              r -> assertThat(r).contains("ephemeral.allowed"));
      assertThat(dead)
          .allSatisfy(
              r ->
                  assertThat(SinkFixture.header(r, ZooKeeperSinkTask.OUTCOME_HEADER))
                      .isEqualTo("rejected"));
      // the worker's own error headers say it too, and the record is the one that was sent
      assertThat(SinkFixture.header(dead.get(1), "__connect.errors.exception.message"))
          .contains("not JSON");
      assertThat(dead.get(1).value()).isEqualTo("not json at all");
      assertThat(zk.checkExists().forPath(cluster.chroot() + "/elsewhere")).isNull();
      assertThat(zk.checkExists().forPath(app + "/fine")).isNotNull();
      assertThat(zk.checkExists().forPath(app + "/e")).isNull();
    }
  }

  @Test
  void theNodesGetTheAclsOfTheClientFilesModelAndTheSessionsGoWithTheWorker(TestCluster cluster)
      throws Exception {
    String app = cluster.chroot() + "/secured";
    java.nio.file.Path file =
        java.nio.file.Files.writeString(
            dir.resolve("zk.properties"),
            "digest=sink:sink-secret\n"
                + "acl.admins="
                + AclModel.format(AclModel.digestId("admin", "admin-secret"))
                + "\nacl.writers="
                + AclModel.format(AclModel.digestId("sink", "sink-secret"))
                + "\nacl.readers=world:anyone\n");
    try (CuratorFramework zk = client(cluster);
        SinkFixture sink = new SinkFixture(cluster, app)) {
      java.util.Set<Long> before = sessions(cluster);
      try (StandaloneWorker worker =
          StandaloneWorker.start(cluster.bootstrapServers(), dir.resolve("offsets"))) {
        Map<String, String> config = sink.config(ZooKeeperSinkConnector.class.getName());
        config.put("zookeeper.client.file", file.toString());
        worker.putConnector("sink", config);
        sink.send(create(app + "/a/b", "x"));
        assertThat(sink.awaitOutcomes(1).get(0).get("outcome").asText()).isEqualTo("applied");
      }
      // as an unauthenticated reader sees them: ZooKeeper masks the digests' hashes
      List<String> model =
          List.of(
              ZooDefs.Perms.ALL + " digest:admin",
              AclModel.WRITER_PERMS + " digest:sink",
              "1 world:anyone");
      for (String path :
          List.of(
              app,
              app + "/a",
              app + "/a/b",
              sink.offsets,
              sink.offsets + "/" + sink.commands + "-0")) {
        assertThat(zk.getACL().forPath(path))
            .as(path)
            .extracting(
                acl ->
                    acl.getPerms()
                        + " "
                        + acl.getId().getScheme()
                        + ":"
                        + acl.getId().getId().split(":")[0])
            .containsExactlyInAnyOrderElementsOf(model);
      }
      // an unauthenticated client may read, not write
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> zk.setData().forPath(app + "/a/b", new byte[0]))
          .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
      // the stopped worker's task left no session behind
      await().atMost(SinkFixture.BOUND).until(() -> before.containsAll(sessions(cluster)));
    }
  }

  static java.util.Set<Long> sessions(TestCluster cluster) {
    return dev.pipekeeper.connect.testing.FourLetterWords.sessions(
        "127.0.0.1", cluster.zookeeper().server(1).clientPort());
  }

  /**
   * A restart whose Connect offsets were lost (the worker died after the ZooKeeper writes, before
   * Connect committed): the task resumes from the offsets node, and each record is applied once.
   * Every command is a set at the version the one before left, so one applied twice would be a
   * conflict.
   */
  @Test
  void aRestartWithoutConnectsOffsetsAppliesEachRecordOnce(TestCluster cluster) throws Exception {
    String app = cluster.chroot() + "/app";
    Path workerOffsets = dir.resolve("offsets");
    try (CuratorFramework zk = client(cluster);
        SinkFixture sink = new SinkFixture(cluster, app)) {
      Map<String, String> config = sink.config(ZooKeeperSinkConnector.class.getName());
      try (StandaloneWorker worker =
          StandaloneWorker.start(cluster.bootstrapServers(), workerOffsets)) {
        worker.putConnector("sink", config);
        sink.send(create(app + "/counter", "0"));
        for (int i = 1; i <= 20; i++) {
          sink.send(set(app + "/counter", String.valueOf(i), i - 1));
        }
        sink.awaitOutcomes(21);
      }
      sink.rewind("sink"); // as if Connect had committed nothing
      assertThat(sink.committed("sink")).isZero();
      for (int i = 21; i <= 30; i++) {
        sink.send(set(app + "/counter", String.valueOf(i), i - 1));
      }
      try (StandaloneWorker worker =
          StandaloneWorker.start(cluster.bootstrapServers(), workerOffsets)) {
        worker.putConnector("sink", config);
        List<JsonNode> outcomes = sink.awaitOutcomes(31);
        assertThat(outcomes).extracting(o -> o.get("outcome").asText()).containsOnly("applied");
        assertThat(outcomes).extracting(o -> o.get("offset").asLong()).doesNotHaveDuplicates();
        Stat stat = new Stat();
        assertThat(text(zk.getData().storingStatIn(stat).forPath(app + "/counter")))
            .isEqualTo("30");
        assertThat(stat.getVersion()).isEqualTo(30);
        await().atMost(SinkFixture.BOUND).until(() -> sink.committed("sink") == 31);
      }
    }
  }

  static String create(String path, String data) {
    return "{\"op\":\"create\",\"path\":\"" + path + "\",\"data\":\"" + data + "\"}";
  }

  static String set(String path, String data, int expectedVersion) {
    return "{\"op\":\"set\",\"path\":\""
        + path
        + "\",\"data\":\""
        + data
        + "\",\"expectedVersion\":"
        + expectedVersion
        + "}";
  }

  static String text(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }

  static CuratorFramework client(TestCluster cluster) throws InterruptedException {
    CuratorFramework client =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100));
    client.start();
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no connection to " + cluster.zkConnect());
    }
    return client;
  }
}
