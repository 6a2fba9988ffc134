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
 * the server deletes a leader's node, and its epoch node, to time when the next leader raised it.
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

  /** When a watched node was deleted, or its data changed. */
  static final class Change {
    private final String what;
    private final CountDownLatch happened = new CountDownLatch(1);
    private final AtomicLong nanos = new AtomicLong();

    private Change(String what) {
      this.what = what;
    }

    private void happened() {
      nanos.set(System.nanoTime());
      happened.countDown();
    }

    /**
     * The {@link System#nanoTime()} at which the change was reported.
     *
     * @throws IllegalStateException if it was not within {@code timeout}
     */
    long await(Duration timeout) throws InterruptedException {
      if (!happened.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(what + " in time");
      }
      return nanos.get();
    }
  }

  /**
   * Watches the election node of the current leader of {@code role}: the oldest one (Curator's
   * latch nodes end with a 10-digit sequence number).
   */
  Change watchLeaderNode(String role) throws Exception {
    String base = ZKPaths.makePath(ZkLayout.root(cluster), ZkLayout.leaders(role));
    List<String> nodes = client.getChildren().forPath(base);
    String leader =
        nodes.stream()
            .min(Comparator.comparing(name -> name.substring(Math.max(0, name.length() - 10))))
            .orElseThrow(() -> new IllegalStateException(role + " has no election node"));
    Change deletion = new Change("the leader's election node was not deleted");
    CuratorWatcher watcher =
        event -> {
          if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            deletion.happened();
          }
        };
    if (client.checkExists().usingWatcher(watcher).forPath(ZKPaths.makePath(base, leader))
        == null) {
      throw new IllegalStateException("the leader's election node of " + role + " is gone");
    }
    return deletion;
  }

  /**
   * Watches the epoch node of {@code role}: the next change of its data is the next leader raising
   * the epoch, which it does before it is granted the lease.
   */
  Change watchEpoch(String role) throws Exception {
    Change raised = new Change("the epoch of " + role + " was not raised");
    CuratorWatcher watcher =
        event -> {
          if (event.getType() == Watcher.Event.EventType.NodeDataChanged) {
            raised.happened();
          }
        };
    client
        .getData()
        .usingWatcher(watcher)
        .forPath(ZKPaths.makePath(ZkLayout.root(cluster), ZkLayout.epoch(role)));
    return raised;
  }
}
