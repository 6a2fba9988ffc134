package dev.pipekeeper.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A watched folder of depth 1, as a group view reads {@code members/GROUP}: what is there at start,
 * then every record that comes, changes or goes, told once to the listener.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class WatchedTreeIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));

  private static Optional<String> decode(String path, byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    return text.equals("bad") ? Optional.empty() : Optional.of(text);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aFolderOfDepthOneLoadsAtStartAndTellsEveryChangeOnce(TestCluster cluster) throws Exception {
    String base = "/watched-tree-" + cluster.cluster();
    try (CuratorFramework client =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      client.start();
      Session session =
          new Session(
              client,
              "t",
              cluster.zkConnect(),
              Duration.ofSeconds(5),
              new CoreMeters(new SimpleMeterRegistry(), cluster.cluster(), "t"));
      client.create().creatingParentsIfNeeded().forPath(base + "/a", bytes("1"));
      List<String> told = new CopyOnWriteArrayList<>();
      try (WatchedTree<String> tree =
          new WatchedTree<>(
              session,
              base,
              1,
              WatchedTreeIT::decode,
              (group, id, before, after) -> told.add(group + id + ":" + before + "->" + after))) {
        tree.start("things");
        assertThat(tree.byGroup()).isEqualTo(Map.of("", Map.of("a", "1")));

        client.create().forPath(base + "/b", bytes("2"));
        await().atMost(BOUND).until(() -> told.contains("b:null->2"));
        client.setData().forPath(base + "/b", bytes("3"));
        await().atMost(BOUND).until(() -> told.contains("b:2->3"));
        client.delete().forPath(base + "/a");
        await().atMost(BOUND).until(() -> told.contains("a:1->null"));
        // a record that can no longer be read goes, as far as the listener can tell
        client.setData().forPath(base + "/b", bytes("bad"));
        await().atMost(BOUND).until(() -> told.contains("b:3->null"));
        // one that never could be read never comes
        client.create().forPath(base + "/c", bytes("bad"));
        client.create().forPath(base + "/d", bytes("4"));
        await().atMost(BOUND).until(() -> told.contains("d:null->4"));
        assertThat(told)
            .containsExactly(
                "a:null->1", "b:null->2", "b:2->3", "a:1->null", "b:3->null", "d:null->4");
        assertThat(tree.byGroup()).isEqualTo(Map.of("", Map.of("d", "4")));
      }
    }
  }
}
