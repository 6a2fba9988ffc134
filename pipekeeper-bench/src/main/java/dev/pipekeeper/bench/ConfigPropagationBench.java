package dev.pipekeeper.bench;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperBuilder;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.retry.RetryOneTime;

/**
 * P1: configuration propagation, write → all listeners applied, with 100 listeners across 10
 * clients, against raw Curator (setData → CuratorCache listener) measured in the same run on the
 * same ZooKeeper server. Rounds alternate between the two so drift hits both alike.
 *
 * <p>Pipekeeper side: each of 10 connections opens one {@link ConfigView} of a pipeline scope with
 * 10 listeners on the key; a writer sets the key through {@code config().set} (validation, multi-op
 * with commit node and history). Baseline: each of 10 Curator clients runs one {@code CuratorCache}
 * on the key's node with 10 listeners; a writer calls {@code setData}.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.ConfigPropagationBench -Dbench.args=2000} (rounds per side).
 */
public final class ConfigPropagationBench {
  private static final int CLIENTS = 10;
  private static final int LISTENERS_PER_CLIENT = 10;
  private static final int WARMUP = 500;

  /** History entries kept per key (second argument; default 100, Pipekeeper's default). */
  private static int historyLimit = 100;

  private ConfigPropagationBench() {}

  /**
   * Warms both sides up, then runs {@code rounds} rounds on each, alternating which goes first so
   * neither always runs on the other's leftovers; returns the stats of {@code a} and of {@code b}.
   */
  static Stats[] alternate(Side a, Side b, int rounds) throws Exception {
    Stats aStats = new Stats();
    Stats bStats = new Stats();
    for (int i = 0; i < WARMUP; i++) {
      a.round(i);
      b.round(i);
    }
    for (int i = 0; i < rounds; i++) {
      int value = WARMUP + i;
      if (i % 2 == 0) {
        aStats.add(a.round(value));
        bStats.add(b.round(value));
      } else {
        bStats.add(b.round(value));
        aStats.add(a.round(value));
      }
    }
    return new Stats[] {aStats, bStats};
  }

  public static void main(String[] args) throws Exception {
    String[] words = args.length > 0 ? args[0].trim().split("\\s+") : new String[0];
    int rounds = words.length > 0 && !words[0].isBlank() ? Integer.parseInt(words[0]) : 200;
    historyLimit = words.length > 1 ? Integer.parseInt(words[1]) : 100;
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.builder().build().start()) {
      Side raw = new RawCurator(zk.connectString());
      Side pipekeeper = new PipekeeperConfig(zk.connectString());
      Stats[] stats = alternate(raw, pipekeeper, rounds);
      Stats rawStats = stats[0];
      Stats pkStats = stats[1];
      raw.close();
      pipekeeper.close();
      printTable(
          rounds,
          "clients",
          "raw Curator setData → CuratorCache",
          rawStats,
          "Pipekeeper config set → ConfigView",
          pkStats);
      System.out.printf(
          "write call alone, p50: raw %.2f ms, Pipekeeper %.2f ms%n",
          raw.writes.percentile(50), pipekeeper.writes.percentile(50));
      System.out.printf(
          "allocated per round (all threads): raw %.1f KiB, Pipekeeper %.1f KiB%n",
          raw.allocated / 1024.0 / (WARMUP + rounds),
          pipekeeper.allocated / 1024.0 / (WARMUP + rounds));
      System.out.printf(
          "p99 ratio Pipekeeper / raw: %.2fx (target ≤ 1.5x); p50 ratio %.2fx%n",
          pkStats.percentile(99) / rawStats.percentile(99),
          pkStats.percentile(50) / rawStats.percentile(50));
    }
  }

  /** Bytes allocated so far by the JVM's live threads. */
  private static long allocatedBytes() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  /** The machine, the rounds and one p50 / p99 / max row per side, as a Markdown table. */
  static void printTable(
      int rounds, String connections, String aName, Stats a, String bName, Stats b) {
    System.out.println(
        "Java "
            + System.getProperty("java.version")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores, "
            + rounds
            + " rounds per side, "
            + CLIENTS * LISTENERS_PER_CLIENT
            + " listeners on "
            + CLIENTS
            + " "
            + connections);
    System.out.println("| side | p50 (ms) | p99 (ms) | max (ms) |");
    System.out.println("| --- | --- | --- | --- |");
    row(aName, a);
    row(bName, b);
  }

  private static void row(String name, Stats stats) {
    System.out.printf(
        "| %s | %.2f | %.2f | %.2f |%n",
        name, stats.percentile(50), stats.percentile(99), stats.max());
  }

  /** One side of the comparison: a round writes a value and waits for every listener to see it. */
  abstract static class Side implements AutoCloseable {
    final AtomicReference<CountDownLatch> arrivals = new AtomicReference<>(new CountDownLatch(0));

    /**
     * The value of the round on its way; each listener decodes what it gets as a consumer would.
     */
    volatile int expected = Integer.MIN_VALUE;

    /** How long the write call itself took, per round. */
    final Stats writes = new Stats();

    /** Called by every listener with the value it saw. */
    void saw(int value) {
      if (value == expected) {
        arrivals.get().countDown();
      }
    }

    /** Bytes allocated by all threads of the JVM during this side's rounds. */
    long allocated;

    /** Milliseconds from the write to the last listener's call. */
    double round(int value) throws Exception {
      long before = allocatedBytes();
      CountDownLatch latch = new CountDownLatch(CLIENTS * LISTENERS_PER_CLIENT);
      expected = value;
      arrivals.set(latch);
      long start = System.nanoTime();
      write(value);
      writes.add((System.nanoTime() - start) / 1e6);
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(getClass().getSimpleName() + ": listeners missed " + value);
      }
      double millis = (System.nanoTime() - start) / 1e6;
      allocated += allocatedBytes() - before;
      return millis;
    }

    abstract void write(int value) throws Exception;

    @Override
    public abstract void close();
  }

  private static final class RawCurator extends Side {
    private static final String PATH = "/bench/raw/k";
    private final CuratorFramework writer;
    private final List<CuratorFramework> clients = new ArrayList<>();
    private final List<CuratorCache> caches = new ArrayList<>();

    RawCurator(String connect) throws Exception {
      writer = client(connect);
      writer.create().orSetData().creatingParentsIfNeeded().forPath(PATH, bytes(-1));
      for (int c = 0; c < CLIENTS; c++) {
        CuratorFramework client = client(connect);
        clients.add(client);
        CuratorCache cache =
            CuratorCache.build(client, PATH, CuratorCache.Options.SINGLE_NODE_CACHE);
        for (int l = 0; l < LISTENERS_PER_CLIENT; l++) {
          cache
              .listenable()
              .addListener(
                  CuratorCacheListener.builder()
                      .forChanges(
                          (before, after) ->
                              saw(
                                  Integer.parseInt(
                                      new String(after.getData(), StandardCharsets.UTF_8))))
                      .build());
        }
        cache.start();
        caches.add(cache);
      }
    }

    @Override
    void write(int value) throws Exception {
      writer.setData().forPath(PATH, bytes(value));
    }

    @Override
    public void close() {
      caches.forEach(CuratorCache::close);
      clients.forEach(CuratorFramework::close);
      writer.close();
    }

    private static byte[] bytes(int value) {
      return Integer.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    private static CuratorFramework client(String connect) throws InterruptedException {
      CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
      client.start();
      client.blockUntilConnected(10, TimeUnit.SECONDS);
      return client;
    }
  }

  static final class PipekeeperConfig extends Side {
    private static final Scope SCOPE = Scope.pipeline("bench");
    private final Pipekeeper writer;
    private final List<Pipekeeper> clients = new ArrayList<>();
    private final ZooKeeperSecurity security;

    PipekeeperConfig(String connect) {
      this(connect, null);
    }

    /** With {@code security} (null for none) on every connection. */
    PipekeeperConfig(String connect, ZooKeeperSecurity security) {
      this.security = security;
      writer = connect(connect, "writer");
      writer.config().set(SCOPE, "k", IntNode.valueOf(-1), ChangeOptions.by("bench"));
      for (int c = 0; c < CLIENTS; c++) {
        Pipekeeper client = connect(connect, "member-" + c);
        clients.add(client);
        ConfigView view = client.config().view(List.of(SCOPE));
        for (int l = 0; l < LISTENERS_PER_CLIENT; l++) {
          view.onChange("k", (old, now) -> now.ifPresent(v -> saw(v.asInt())));
        }
      }
    }

    @Override
    void write(int value) {
      writer.config().set(SCOPE, "k", IntNode.valueOf(value), ChangeOptions.by("bench"));
    }

    @Override
    public void close() {
      clients.forEach(Pipekeeper::close);
      writer.close();
    }

    private Pipekeeper connect(String connect, String identity) {
      PipekeeperBuilder builder =
          Pipekeeper.builder()
              .zookeeper(connect)
              .cluster("bench")
              .identity(identity)
              .sessionTimeout(Duration.ofSeconds(30))
              .configHistoryLimit(historyLimit);
      if (security != null) {
        builder.security(security);
      }
      return builder.build();
    }
  }
}
