package dev.pipekeeper.bench;

import dev.pipekeeper.core.internal.ZkLayout;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.Watcher;

/**
 * A plain Curator client that watches a role's election nodes from outside Pipekeeper, to time when
 * the server deletes a leader's node.
 */
final class RawObserver {
  private final CuratorFramework client;
  private final String cluster;

  /**
   * @param client a started client; its namespace is ignored
   * @param cluster the Pipekeeper cluster whose roles are watched
   */
  RawObserver(CuratorFramework client, String cluster) {
    this.client = client.usingNamespace(null);
    this.cluster = cluster;
  }

  /** When a watched node was deleted. */
  static final class Deletion {
    private final CountDownLatch deleted = new CountDownLatch(1);
    private final AtomicLong nanos = new AtomicLong();

    /**
     * The {@link System#nanoTime()} at which the deletion was reported.
     *
     * @throws IllegalStateException if it was not within {@code timeout}
     */
    long await(Duration timeout) throws InterruptedException {
      if (!deleted.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the leader's election node was not deleted in time");
      }
      return nanos.get();
    }
  }

  /**
   * Watches the election node of the current leader of {@code role}: the oldest one (Curator's
   * latch nodes end with a 10-digit sequence number).
   */
  Deletion watchLeaderNode(String role) throws Exception {
    String base = ZKPaths.makePath(ZkLayout.root(cluster), ZkLayout.leaders(role));
    List<String> nodes = client.getChildren().forPath(base);
    String leader =
        nodes.stream()
            .min(Comparator.comparing(name -> name.substring(Math.max(0, name.length() - 10))))
            .orElseThrow(() -> new IllegalStateException(role + " has no election node"));
    Deletion deletion = new Deletion();
    CuratorWatcher watcher =
        event -> {
          if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            deletion.nanos.set(System.nanoTime());
            deletion.deleted.countDown();
          }
        };
    if (client.checkExists().usingWatcher(watcher).forPath(ZKPaths.makePath(base, leader))
        == null) {
      throw new IllegalStateException("the leader's election node of " + role + " is gone");
    }
    return deletion;
  }
}
