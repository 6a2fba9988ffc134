package dev.pipekeeper.embedded.junit;

import dev.pipekeeper.embedded.EmbeddedServerException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * A plain ZooKeeper client for tests that must show that nothing was written: {@link #snapshot}
 * records every node under a path with the zxids that any create, set or child change moves, so two
 * equal snapshots mean no write happened in between. It also writes raw nodes, as a tool outside
 * Pipekeeper (zkCli) would.
 *
 * <p>Not for concurrent use while other clients write the same tree.
 */
public final class ZooKeeperTree implements AutoCloseable {
  private final ZooKeeper zk;

  private ZooKeeperTree(ZooKeeper zk) {
    this.zk = zk;
  }

  /** Connects to {@code connectString}, waiting (bounded, scaled) for the session. */
  public static ZooKeeperTree connect(String connectString) {
    CountDownLatch connected = new CountDownLatch(1);
    try {
      ZooKeeper zk =
          new ZooKeeper(
              connectString,
              10_000,
              event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                  connected.countDown();
                }
              });
      if (!connected.await(
          TestTimeouts.scaled(java.time.Duration.ofSeconds(15)).toMillis(),
          TimeUnit.MILLISECONDS)) {
        zk.close();
        throw new EmbeddedServerException("no ZooKeeper session at " + connectString);
      }
      return new ZooKeeperTree(zk);
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot connect to " + connectString, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted connecting to " + connectString, e);
    }
  }

  /** The plain client, for raw writes behind the application's back. */
  public ZooKeeper client() {
    return zk;
  }

  /**
   * Every node under {@code root} (itself included; empty when it does not exist) mapped to its
   * creation, modification and child-change zxids and its data version, after a {@code sync}, so
   * writes acknowledged to any client before the call are seen.
   */
  public Map<String, String> snapshot(String root) {
    Map<String, String> out = new TreeMap<>();
    try {
      CountDownLatch synced = new CountDownLatch(1);
      zk.sync(root, (rc, path, ctx) -> synced.countDown(), null);
      synced.await(
          TestTimeouts.scaled(java.time.Duration.ofSeconds(15)).toMillis(), TimeUnit.MILLISECONDS);
      walk(root, out);
    } catch (KeeperException e) {
      throw new EmbeddedServerException("cannot read " + root + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted reading " + root, e);
    }
    return out;
  }

  /**
   * What changed from {@code before} to {@code after} (two {@link #snapshot}s), one line per node
   * added, removed or changed; empty when nothing did.
   */
  public static String diff(Map<String, String> before, Map<String, String> after) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> entry : after.entrySet()) {
      String old = before.get(entry.getKey());
      if (old == null) {
        out.append("added ").append(entry.getKey()).append('\n');
      } else if (!old.equals(entry.getValue())) {
        out.append("changed ")
            .append(entry.getKey())
            .append(" (")
            .append(old)
            .append(" -> ")
            .append(entry.getValue())
            .append(")\n");
      }
    }
    for (String path : before.keySet()) {
      if (!after.containsKey(path)) {
        out.append("removed ").append(path).append('\n');
      }
    }
    return out.toString();
  }

  private void walk(String path, Map<String, String> out)
      throws KeeperException, InterruptedException {
    Stat stat = zk.exists(path, false);
    if (stat == null) {
      return;
    }
    out.put(
        path,
        "czxid "
            + stat.getCzxid()
            + " mzxid "
            + stat.getMzxid()
            + " pzxid "
            + stat.getPzxid()
            + " version "
            + stat.getVersion());
    List<String> children;
    try {
      children = zk.getChildren(path, false);
    } catch (KeeperException.NoNodeException gone) {
      return;
    }
    for (String child : children) {
      walk(path.equals("/") ? "/" + child : path + "/" + child, out);
    }
  }

  @Override
  public void close() {
    try {
      zk.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
