package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Configuration#commit}: keys at expected versions and nodes outside the cluster's tree
 * written in the one multi-op of the change, all or nothing.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigCommitIT {
  static final Scope GLOBAL = Scope.global();
  static final ChangeOptions OPS = ChangeOptions.by("ops");

  @Test
  void theExtraNodeIsWrittenWithTheChangeOrNotAtAll(TestCluster cluster) throws Exception {
    String marks = cluster.chroot() + "-marks";
    try (Pipekeeper pk = Clients.connect(cluster, "writer");
        CuratorFramework zk = raw(cluster)) {
      zk.create().creatingParentsIfNeeded().forPath(marks);
      Configuration config = pk.config();
      String mark = marks + "/p0";
      ConfigCommit first =
          config.commit(
              GLOBAL,
              List.of(
                  KeyChange.set("a", IntNode.valueOf(1)).expectVersion(-1),
                  KeyChange.set("b", TextNode.valueOf("x"))),
              List.of(new ExtraWrite(mark, bytes("1"), -1)),
              OPS);
      assertThat(first.keys()).containsExactly("a", "b");
      assertThat(first.scopeVersion()).isEqualTo(1);
      assertThat(new String(zk.getData().forPath(mark), StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(config.history(GLOBAL, "a")).hasSize(1);

      // a key not at its expected version: nothing written, the extra node neither
      assertThatThrownBy(
              () ->
                  config.commit(
                      GLOBAL,
                      List.of(
                          KeyChange.set("a", IntNode.valueOf(2)).expectVersion(5),
                          KeyChange.set("b", TextNode.valueOf("y"))),
                      List.of(new ExtraWrite(mark, bytes("2"), 0)),
                      OPS))
          .isInstanceOf(ConfigConflictException.class)
          .hasMessageContaining("a is at version 0, not the expected 5");
      // "create" of a key that is set conflicts too
      assertThatThrownBy(
              () ->
                  config.commit(
                      GLOBAL,
                      List.of(KeyChange.set("b", TextNode.valueOf("y")).expectVersion(-1)),
                      List.of(new ExtraWrite(mark, bytes("2"), 0)),
                      OPS))
          .isInstanceOf(ConfigConflictException.class);
      assertThat(new String(zk.getData().forPath(mark), StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(config.get(GLOBAL, "b").orElseThrow().value()).isEqualTo(TextNode.valueOf("x"));

      // the extra node not at its expected version: named, and the keys are left as they were
      assertThatThrownBy(
              () ->
                  config.commit(
                      GLOBAL,
                      List.of(KeyChange.delete("a").expectVersion(0)),
                      List.of(new ExtraWrite(mark, bytes("2"), 7)),
                      OPS))
          .isInstanceOf(ConfigConflictException.class)
          .hasMessageContaining(mark);
      assertThat(config.get(GLOBAL, "a")).isPresent();
      assertThat(config.version(GLOBAL)).isEqualTo(1);

      ConfigCommit delete =
          config.commit(
              GLOBAL,
              List.of(KeyChange.delete("a").expectVersion(0)),
              List.of(new ExtraWrite(mark, bytes("2"), 0)),
              OPS);
      assertThat(delete.keys()).containsExactly("a");
      assertThat(config.get(GLOBAL, "a")).isEmpty();
      Stat stat = new Stat();
      assertThat(new String(zk.getData().storingStatIn(stat).forPath(mark), StandardCharsets.UTF_8))
          .isEqualTo("2");
      assertThat(stat.getVersion()).isEqualTo(1);
    }
  }

  @Test
  void aCommitThatChangesNoKeyWritesTheExtraNodeAlone(TestCluster cluster) throws Exception {
    String marks = cluster.chroot() + "-marks";
    try (Pipekeeper pk = Clients.connect(cluster, "writer");
        Pipekeeper other = Clients.connect(cluster, "other");
        CuratorFramework zk = raw(cluster)) {
      zk.create().creatingParentsIfNeeded().forPath(marks);
      Configuration config = pk.config();
      config.set(GLOBAL, "k", IntNode.valueOf(1), OPS);
      ConfigCommit same =
          config.commit(
              GLOBAL,
              List.of(KeyChange.set("k", IntNode.valueOf(1))),
              List.of(new ExtraWrite(marks + "/m", bytes("x"), -1)),
              OPS);
      assertThat(same.keys()).isEmpty();
      assertThat(same.scopeVersion()).isEqualTo(1);
      assertThat(zk.checkExists().forPath(marks + "/m")).isNotNull();
      assertThat(config.history(GLOBAL, "k")).hasSize(1);
      // another writer's change in between makes this writer read again, and it still holds
      other.config().set(GLOBAL, "k", IntNode.valueOf(2), OPS);
      ConfigCommit again =
          config.commit(
              GLOBAL,
              List.of(KeyChange.set("k", IntNode.valueOf(2)).expectVersion(1)),
              List.of(new ExtraWrite(marks + "/m", bytes("y"), 0)),
              OPS);
      assertThat(again.keys()).isEmpty();
      assertThat(again.scopeVersion()).isEqualTo(2);
      assertThat(new String(zk.getData().forPath(marks + "/m"), StandardCharsets.UTF_8))
          .isEqualTo("y");
    }
  }

  @Test
  void extraPathsInTheClustersTreeOrMalformedAreRefused(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "writer")) {
      Configuration config = pk.config();
      List<KeyChange> change = List.of(KeyChange.set("k", IntNode.valueOf(1)));
      for (String path :
          List.of(
              "/pipekeeper/" + cluster.cluster() + "/config/global/k",
              "/pipekeeper/" + cluster.cluster(),
              "relative",
              "/",
              "/a/")) {
        assertThatThrownBy(
                () ->
                    config.commit(
                        GLOBAL, change, List.of(new ExtraWrite(path, bytes(""), -1)), OPS))
            .as(path)
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("extra write");
      }
      assertThatThrownBy(
              () ->
                  config.commit(
                      GLOBAL,
                      List.of(KeyChange.set("k", IntNode.valueOf(1)), KeyChange.delete("k")),
                      List.of(),
                      OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("given twice");
      assertThat(config.get(GLOBAL, "k")).isEmpty();
    }
  }

  static CuratorFramework raw(TestCluster cluster) {
    CuratorFramework zk =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100));
    zk.start();
    return zk;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
