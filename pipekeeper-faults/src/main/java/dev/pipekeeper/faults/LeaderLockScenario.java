package dev.pipekeeper.faults;

import static org.awaitility.Awaitility.await;

import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes contending for one role and one lock ({@link FaultWorker}) on a three-server ZooKeeper
 * ensemble, under faults drawn from a seeded random schedule: a worker killed with {@code kill -9}
 * and restarted; the leader paused ({@code SIGSTOP}) past its session timeout and resumed; a
 * worker's ZooKeeper traffic cut at its proxies and restored; one ZooKeeper server, or two (the
 * quorum lost), stopped and restarted. After each fault the scenario waits for the role to be
 * published under again (a bounded wait: missing it is a violation of its own). Then the history is
 * checked.
 */
public final class LeaderLockScenario {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderLockScenario.class);

  /** The kinds of fault, each drawn with the same chance. */
  public enum Fault {
    KILL_WORKER,
    PAUSE_LEADER,
    PARTITION_WORKER,
    STOP_ZOOKEEPER_SERVER,
    /** Two of the three servers: no quorum, so nothing can be written until they are back. */
    STOP_TWO_ZOOKEEPER_SERVERS
  }

  /**
   * How to run.
   *
   * @param seed the schedule's seed (printed; the same seed draws the same faults)
   * @param workers how many worker processes
   * @param faults how many faults, one after the other
   * @param session the workers' session timeout
   * @param recovery how long, after a fault ends, the role may take to be published under again
   * @param dir where the servers' data and the histories go
   */
  public record Settings(
      long seed, int workers, int faults, Duration session, Duration recovery, Path dir) {}

  /**
   * What a run gave.
   *
   * @param report the checker's verdict on the whole history
   * @param injected how many faults of each kind were injected
   * @param stalls faults after which nothing was published within the recovery bound
   * @param recoveries for each fault, from its end until the next publication (wall clock)
   */
  public record Result(
      HistoryChecker.Report report,
      Map<Fault, Integer> injected,
      List<String> stalls,
      List<Duration> recoveries,
      List<String> skippedLines) {
    public boolean passed() {
      return report.passed() && stalls.isEmpty();
    }
  }

  private final Settings settings;
  private final Path histories;
  private final Random random;
  private final Map<String, ChildJvm> workers = new LinkedHashMap<>();
  private final Map<String, List<TcpProxy>> proxies = new LinkedHashMap<>();
  private EmbeddedZooKeeper zk;

  private LeaderLockScenario(Settings settings) {
    this.settings = settings;
    this.histories = settings.dir().resolve("history");
    this.random = new Random(settings.seed());
  }

  /** Runs the scenario and checks its history. */
  public static Result run(Settings settings) {
    LOG.info(
        "fault scenario leader-lock: seed {}, {} workers, {} faults",
        settings.seed(),
        settings.workers(),
        settings.faults());
    LeaderLockScenario scenario = new LeaderLockScenario(settings);
    try {
      return scenario.runAll();
    } finally {
      scenario.close();
    }
  }

  private Result runAll() {
    zk =
        EmbeddedZooKeeper.builder()
            .servers(3)
            .quiet(true)
            .dataDir(settings.dir().resolve("zookeeper"))
            .build()
            .start();
    for (int i = 1; i <= settings.workers(); i++) {
      String id = "w" + i;
      List<TcpProxy> own = new ArrayList<>();
      for (ZooKeeperNode server : zk.servers()) {
        own.add(TcpProxy.start("127.0.0.1", server.clientPort()));
      }
      proxies.put(id, own);
      startWorker(id);
    }
    awaitPublication(0, "the start");

    Map<Fault, Integer> injected = new TreeMap<>();
    List<String> stalls = new ArrayList<>();
    List<Duration> recoveries = new ArrayList<>();
    Fault[] kinds = Fault.values();
    for (int n = 1; n <= settings.faults(); n++) {
      Fault fault = kinds[random.nextInt(kinds.length)];
      String what = inject(fault);
      injected.merge(fault, 1, Integer::sum);
      long ended = System.nanoTime();
      long generation = newestGeneration();
      try {
        awaitPublication(generation, "fault " + n + " (" + what + ")");
        recoveries.add(Duration.ofNanos(System.nanoTime() - ended));
      } catch (ConditionTimeoutException e) {
        stalls.add(
            "fault " + n + " (" + what + "): nothing published within " + settings.recovery());
      }
      LOG.info("fault {}/{}: {}", n, settings.faults(), what);
    }
    for (ChildJvm worker : workers.values()) {
      worker.stop(Duration.ofSeconds(15));
    }
    History history = History.read(histories);
    return new Result(
        HistoryChecker.check(history), injected, stalls, recoveries, history.skipped());
  }

  private String inject(Fault fault) {
    List<String> ids = new ArrayList<>(workers.keySet());
    Duration past = settings.session().plusSeconds(1);
    switch (fault) {
      case KILL_WORKER -> {
        String id = ids.get(random.nextInt(ids.size()));
        workers.get(id).kill();
        startWorker(id);
        return "kill -9 " + id + " and restart it";
      }
      case PAUSE_LEADER -> {
        String id = leader();
        ChildJvm worker = workers.get(id);
        worker.pause();
        park(past);
        worker.resume();
        return "SIGSTOP the leader " + id + " for " + past.toMillis() + " ms";
      }
      case PARTITION_WORKER -> {
        String id = ids.get(random.nextInt(ids.size()));
        proxies.get(id).forEach(TcpProxy::cut);
        park(past);
        proxies.get(id).forEach(TcpProxy::restore);
        return "cut " + id + "'s ZooKeeper traffic for " + past.toMillis() + " ms";
      }
      case STOP_ZOOKEEPER_SERVER -> {
        ZooKeeperNode server = zk.server(1 + random.nextInt(3));
        server.stop();
        park(past);
        server.start();
        return "stop ZooKeeper server " + server.id() + " for " + past.toMillis() + " ms";
      }
      case STOP_TWO_ZOOKEEPER_SERVERS -> {
        int spared = 1 + random.nextInt(3);
        List<ZooKeeperNode> stopped =
            zk.servers().stream().filter(server -> server.id() != spared).toList();
        stopped.forEach(ZooKeeperNode::stop);
        park(past);
        // Each start returns once its server is in a quorum, which needs the other one too.
        Thread first = new Thread(stopped.get(0)::start, "fault-restart-" + stopped.get(0).id());
        first.start();
        stopped.get(1).start();
        try {
          first.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while restarting ZooKeeper servers", e);
        }
        return "stop ZooKeeper servers "
            + stopped.get(0).id()
            + " and "
            + stopped.get(1).id()
            + " for "
            + past.toMillis()
            + " ms";
      }
      default -> throw new IllegalArgumentException(fault.name());
    }
  }

  private void startWorker(String id) {
    String proxied =
        proxies.get(id).stream().map(TcpProxy::address).collect(Collectors.joining(","));
    ChildJvm worker =
        ChildJvm.start(
            FaultWorker.class,
            List.of(
                proxied,
                zk.connectString(),
                "faults",
                id,
                histories.toString(),
                Long.toString(settings.session().toMillis())));
    workers.put(id, worker);
    try {
      worker.awaitLine("READY", Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      List<String> lines = worker.lines();
      throw new IllegalStateException(
          "worker "
              + id
              + " did not start; its last lines: "
              + lines.subList(Math.max(0, lines.size() - 20), lines.size()),
          e);
    }
  }

  /** The worker last granted the role, by epoch (the greatest epoch is ZooKeeper's newest term). */
  private String leader() {
    return History.read(histories).events().stream()
        .filter(e -> e.kind() == Kind.GRANTED)
        .max(java.util.Comparator.comparingLong(HistoryEvent::token))
        .map(HistoryEvent::process)
        .orElse(workers.keySet().iterator().next());
  }

  private long newestGeneration() {
    return History.read(histories).events().stream()
        .filter(e -> e.kind() == Kind.PUBLISHED)
        .mapToLong(HistoryEvent::order)
        .max()
        .orElse(0);
  }

  private void awaitPublication(long after, String what) {
    await("a publication after " + what)
        .atMost(settings.recovery().plus(settings.session()))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> newestGeneration() > after);
  }

  /** The fault's length: the time a pause or an outage lasts, not a wait for a state. */
  private static void park(Duration duration) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(duration.toMillis()));
  }

  private void close() {
    workers.values().forEach(ChildJvm::close);
    proxies.values().forEach(list -> list.forEach(TcpProxy::close));
    if (zk != null) {
      zk.close();
    }
  }
}
