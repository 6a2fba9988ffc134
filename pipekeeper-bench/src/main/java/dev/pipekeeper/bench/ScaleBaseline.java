package dev.pipekeeper.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.awaitility.Awaitility;

/**
 * {@code ScaleBench}'s baseline: the naive group, built from the raw Curator recipes, in which
 * every member watches every other. Each of {@code count} members, on its own Curator client,
 * creates its ephemeral member node ({@code PersistentNode}) and keeps a {@code CuratorCache} of
 * the group; all start at once, and the group has joined when every cache holds every member. This
 * is the shape whose join costs about M² notifications (docs/benchmarks.md, cost per member).
 */
final class ScaleBaseline implements AutoCloseable {
  private static final String GROUP = "/members/scale";

  private final List<CuratorFramework> clients = new ArrayList<>();
  private final List<PersistentNode> nodes = new ArrayList<>();
  private final List<CuratorCache> caches = new ArrayList<>();

  /** Connects {@code count} clients (not yet members). */
  ScaleBaseline(String connect, int count, int sessionMs) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      clients.add(CuratorBaseline.client(connect, sessionMs));
    }
  }

  /**
   * Starts every member at once on {@code threads} threads; {@code beforeGate} runs just before.
   *
   * @return the {@code System.nanoTime()} at which the gate opened
   */
  long startAll(int threads, Runnable beforeGate) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<?>> started = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        CuratorFramework client = clients.get(i);
        String id = ScaleMembers.id(i);
        PersistentNode node =
            new PersistentNode(
                client,
                CreateMode.EPHEMERAL,
                false,
                GROUP + "/" + id,
                ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        CuratorCache cache = CuratorCache.build(client, GROUP);
        synchronized (this) {
          nodes.add(node);
          caches.add(cache);
        }
        started.add(
            pool.submit(
                () -> {
                  gate.await();
                  node.start();
                  cache.start();
                  if (!node.waitForInitialCreate(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("member node " + id + " not created");
                  }
                  return null;
                }));
      }
      return ScaleMembers.openGate(beforeGate, gate, started);
    } finally {
      pool.shutdown();
    }
  }

  /** Waits until every member's cache holds every member (and the group's own node). */
  void awaitJoined(Duration bound) {
    int members = clients.size();
    Awaitility.await("every cache holding " + members + " members")
        .atMost(bound)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> caches.stream().allMatch(cache -> cache.size() == members + 1));
  }

  @Override
  public void close() {
    caches.forEach(CuratorCache::close);
    for (PersistentNode node : nodes) {
      try {
        node.close();
      } catch (Exception e) {
        System.err.println("closing a member node failed: " + e);
      }
    }
    clients.forEach(CuratorFramework::close);
  }
}
