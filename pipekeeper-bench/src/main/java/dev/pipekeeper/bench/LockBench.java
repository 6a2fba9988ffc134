package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.locks.DistributedLock;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

/**
 * Lock throughput (docs/design.md §7, P4: at least 0.9× the baseline): acquire+release of
 * Pipekeeper's {@code pk.locks().mutex(name)} ({@code acquire(timeout)} then {@code close()})
 * against raw Curator {@code InterProcessMutex} ({@code acquire(timeout)} then {@code release()}),
 * on the same ZooKeeper server in the same run.
 *
 * <p>How: {@code threads} threads, each with its own connection (a {@link Pipekeeper}, or a Curator
 * client with Pipekeeper's defaults: the same session timeout, a 5 s connection timeout, and the
 * same retry policy) and its own lock object, made once and reused, loop acquire+release for {@code
 * seconds}. A round's figure is the acquisitions of all threads divided by the round's wall time.
 * Scenarios: {@code uncontended}, each thread its own lock name; {@code contended}, every thread
 * the same lock. Paths have the same shape on both sides ({@code /pipekeeper/lockbench/locks/NAME}
 * and {@code /pipekeeper/curator-baseline/locks/NAME}). Each side first warms up for {@code warmup}
 * seconds (not counted); then come {@code rounds} measured rounds per side in ABBA order (Curator
 * then Pipekeeper, then Pipekeeper then Curator, ...) so that drift (JIT, GC, other load on the
 * machine) falls on both sides alike; many short rounds keep each pair's two halves close in time.
 * Reported: ops/s p50 of each side, the ratio of the p50s (against the target), and the median of
 * the ratios of the rounds taken side by side, with an approximate 95% interval of that median (how
 * much the machine's noise leaves the ratio uncertain).
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.LockBench -Dbench.args="threads=4 rounds=30 seconds=1
 * warmup=10"} (the defaults); {@code scenarios=uncontended,contended} and {@code
 * server=in-process|child} choose what runs.
 */
public final class LockBench {
  private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
  private static final double TARGET = 0.9;

  private LockBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int threads = settings.integer("threads", 4, 1);
    int rounds = settings.integer("rounds", 30, 1);
    int seconds = settings.integer("seconds", 1, 1);
    int warmup = settings.integer("warmup", 10, 0);
    int sessionMs = settings.integer("sessionMs", 10_000, 1000);
    List<String> scenarios =
        settings.list("scenarios", "uncontended,contended", List.of("uncontended", "contended"));
    StringBuilder report = new StringBuilder();
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings)) {
      settings.checkNoneUnknown();
      report.append(Environment.header("LockBench", settings));
      report.append(
          "| scenario | threads | Curator ops/s p50 (min–max) | Pipekeeper ops/s p50 (min–max)"
              + " | ratio of p50s | ratio per round: median (≈95% interval) | target |\n");
      report.append("| --- | --- | --- | --- | --- | --- | --- |\n");
      for (String scenario : scenarios) {
        boolean contended = scenario.equals("contended");
        try (Side curator = new CuratorSide(zk.connectString(), sessionMs, threads, contended);
            Side pipekeeper =
                new PipekeeperSide(zk.connectString(), sessionMs, threads, contended)) {
          report.append(compare(scenario, threads, rounds, seconds, warmup, curator, pipekeeper));
        }
      }
    }
    System.out.print(report);
  }

  private static String compare(
      String scenario, int threads, int rounds, int seconds, int warmup, Side baseline, Side pk)
      throws Exception {
    if (warmup > 0) {
      progress(scenario, "warm-up", baseline, run(baseline, threads, warmup));
      progress(scenario, "warm-up", pk, run(pk, threads, warmup));
    }
    Stats base = new Stats();
    Stats ours = new Stats();
    Stats ratios = new Stats();
    for (int round = 0; round < rounds; round++) {
      double b;
      double p;
      if (round % 2 == 0) {
        b = run(baseline, threads, seconds);
        p = run(pk, threads, seconds);
      } else {
        p = run(pk, threads, seconds);
        b = run(baseline, threads, seconds);
      }
      progress(scenario, "round " + (round + 1), baseline, b);
      progress(scenario, "round " + (round + 1), pk, p);
      base.add(b);
      ours.add(p);
      ratios.add(p / b);
    }
    double ratio = ours.percentile(50) / base.percentile(50);
    double[] interval = ratios.medianInterval95();
    return String.format(
        "| %s | %d | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %.2f | %.2f (%.2f–%.2f) | ≥ %.1f (%s) |%n",
        scenario,
        threads,
        base.percentile(50),
        base.min(),
        base.max(),
        ours.percentile(50),
        ours.min(),
        ours.max(),
        ratio,
        ratios.percentile(50),
        interval[0],
        interval[1],
        TARGET,
        ratio >= TARGET ? "met" : "missed");
  }

  private static void progress(String scenario, String what, Side side, double opsPerSecond) {
    System.err.printf("%s %s %s: %.0f ops/s%n", scenario, what, side.name(), opsPerSecond);
  }

  /** Runs every thread's loop for {@code seconds}; returns acquisitions per second of wall time. */
  private static double run(Side side, int threads, int seconds) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    LongAdder operations = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long[] deadline = new long[1];
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int thread = i;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                  long count = 0;
                  // The barrier orders the write of deadline before this read.
                  while (System.nanoTime() < deadline[0] && failure.get() == null) {
                    side.acquireRelease(thread);
                    count++;
                  }
                  operations.add(count);
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "bench-" + side.name() + "-" + i);
      worker.start();
      workers.add(worker);
    }
    long begin = System.nanoTime();
    deadline[0] = begin + TimeUnit.SECONDS.toNanos(seconds);
    start.await();
    for (Thread worker : workers) {
      worker.join();
    }
    long elapsed = System.nanoTime() - begin;
    if (failure.get() != null) {
      throw new IllegalStateException(side.name() + " failed: " + failure.get(), failure.get());
    }
    return operations.sum() / (elapsed / 1e9);
  }

  private static String lockName(int thread, boolean contended) {
    return contended ? "contended" : "lock-" + thread;
  }

  /** One side of the comparison: a thread's acquire+release, on that thread's own connection. */
  private interface Side extends AutoCloseable {
    String name();

    void acquireRelease(int thread) throws Exception;

    @Override
    void close();
  }

  /** The baseline: Curator's own mutex, as an application would use it. */
  private static final class CuratorSide implements Side {
    private final List<CuratorFramework> clients = new ArrayList<>();
    private final List<InterProcessMutex> mutexes = new ArrayList<>();

    CuratorSide(String connectString, int sessionMs, int threads, boolean contended)
        throws InterruptedException {
      for (int i = 0; i < threads; i++) {
        CuratorFramework client = CuratorBaseline.client(connectString, sessionMs);
        clients.add(client);
        mutexes.add(new InterProcessMutex(client, "/locks/" + lockName(i, contended)));
      }
    }

    @Override
    public String name() {
      return "curator";
    }

    @Override
    public void acquireRelease(int thread) throws Exception {
      InterProcessMutex mutex = mutexes.get(thread);
      if (!mutex.acquire(ACQUIRE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("not acquired within " + ACQUIRE_TIMEOUT);
      }
      mutex.release();
    }

    @Override
    public void close() {
      clients.forEach(CuratorFramework::close);
    }
  }

  /** Pipekeeper's mutex: a fencing token per acquisition on top of the same recipe. */
  private static final class PipekeeperSide implements Side {
    private final List<Pipekeeper> connections = new ArrayList<>();
    private final List<DistributedLock> locks = new ArrayList<>();

    PipekeeperSide(String connectString, int sessionMs, int threads, boolean contended) {
      for (int i = 0; i < threads; i++) {
        Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(connectString)
                .cluster("lockbench")
                .identity("bench-" + i)
                .sessionTimeout(Duration.ofMillis(sessionMs))
                .build();
        connections.add(pk);
        locks.add(pk.locks().mutex(lockName(i, contended)));
      }
    }

    @Override
    public String name() {
      return "pipekeeper";
    }

    @Override
    public void acquireRelease(int thread) {
      LockHandle handle = locks.get(thread).acquire(ACQUIRE_TIMEOUT);
      handle.close();
    }

    @Override
    public void close() {
      connections.forEach(Pipekeeper::close);
    }
  }
}
