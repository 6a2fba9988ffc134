package dev.pipekeeper.bench;

import static dev.pipekeeper.bench.MonitorBenchReport.ms;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Evaluation;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.Watcher;

/**
 * The cluster monitor (issue 7): what it costs with {@code groups × perGroup} members, and how long
 * it takes from a fault to the alert reaching a sink.
 *
 * <p>Setup: one ZooKeeper server; every member a {@link BenchMember} on its own connection (joined,
 * viewing its configuration, publishing health every {@code healthMs}); the rules are the defaults
 * with {@code member-down}'s {@code for} set to {@code forMs}, plus {@code errors} (error-rate
 * above 5/s, the same {@code for}), a {@code group-size} and a {@code no-progress} rule. The
 * monitor runs on a connection of its own, with a {@link RecordingSink}.
 *
 * <ol>
 *   <li>Cost, no faults, over {@code evaluations} evaluations: CPU of the {@code
 *       pipekeeper-monitor} thread per evaluation (and of its connection's ZooKeeper threads), the
 *       evaluation's own time and reads ({@link Evaluation}), and the reads the server received
 *       from the monitor's session ({@code cons}). The baseline, in the same window on a connection
 *       of its own: a {@link NaivePoller} reading every record once per interval, half an interval
 *       after the monitor.
 *   <li>Detection, {@code rounds} rounds: a member is cut off (its proxy blackholed) and, at the
 *       same instant, another member's health is switched to a high error rate. Timed: cut → its
 *       member node deleted by the server (a raw client's watch) → {@code member-down} FIRING at
 *       the sink; switch → first failing health record → {@code errors} FIRING. Then the cut member
 *       is replaced by a new connection of the same id, and its alert must RESOLVE.
 * </ol>
 *
 * <p>This class runs the scenario; {@link MonitorBenchReport} writes what it measured.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.MonitorBench -Dbench.args="evaluations=60 rounds=10"}.
 */
public final class MonitorBench {
  private static final String CLUSTER = "monitorbench";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Names the threads that build the monitor's and the poller's connections (and theirs). */
  private static final String MONITOR_CONNECTION = "monitorbench-monitor-connection";

  private static final String POLLER_CONNECTION = "monitorbench-poller-connection";

  private MonitorBench() {}

  /** The settings of a run. */
  record Settings(
      int groups,
      int perGroup,
      int evaluations,
      int rounds,
      int intervalMs,
      int forMs,
      BenchMember.Settings member,
      int monitorSessionMs) {
    int members() {
      return groups * perGroup;
    }

    String group(int g) {
      return String.format("g%02d", g);
    }

    String id(int g, int i) {
      return String.format("m-%03d", g * perGroup + i);
    }
  }

  public static void main(String[] args) throws Exception {
    BenchArgs parsed = BenchArgs.parse(args);
    Settings s =
        new Settings(
            parsed.integer("groups", 10, 1),
            parsed.integer("perGroup", 20, 2),
            parsed.integer("evaluations", 60, 2),
            parsed.integer("rounds", 10, 1),
            parsed.integer("intervalMs", 1000, 100),
            parsed.integer("forMs", 2000, 0),
            new BenchMember.Settings(
                parsed.integer("sessionMs", 2000, 1000), parsed.integer("healthMs", 5000, 100)),
            parsed.integer("monitorSessionMs", 10_000, 1000));
    if (s.rounds() > s.groups() * (s.perGroup() / 2)) {
      throw new IllegalArgumentException("rounds must be at most groups × perGroup / 2");
    }
    StringBuilder report = new StringBuilder();
    List<BenchMember> members = new ArrayList<>();
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(parsed)) {
      parsed.checkNoneUnknown();
      report.append(Environment.header("MonitorBench", parsed));
      try {
        run(s, zk, members, report);
      } finally {
        ExecutorService closing = Executors.newFixedThreadPool(4);
        members.forEach(m -> closing.execute(m::close));
        closing.shutdown();
        closing.awaitTermination(60, TimeUnit.SECONDS);
      }
    }
    System.out.print(report);
  }

  private static void run(
      Settings s, EmbeddedZooKeeper zk, List<BenchMember> members, StringBuilder report)
      throws Exception {
    String host = "127.0.0.1";
    int port = zk.server(1).clientPort();
    FourLetterWords server = new FourLetterWords(host, port);
    long setupStart = System.nanoTime();
    // The members cut off in the detection rounds (the last ones of their groups) get proxies.
    List<int[]> victims = new ArrayList<>();
    List<int[]> failing = new ArrayList<>();
    for (int r = 0; r < s.rounds(); r++) {
      victims.add(new int[] {r % s.groups(), s.perGroup() - 1 - r / s.groups()});
      failing.add(new int[] {(r + s.groups() / 2) % s.groups(), r / s.groups()});
    }
    BenchMember[][] grid = new BenchMember[s.groups()][s.perGroup()];
    ExecutorService starting = Executors.newFixedThreadPool(4);
    List<Future<?>> started = new ArrayList<>();
    for (int g = 0; g < s.groups(); g++) {
      for (int i = 0; i < s.perGroup(); i++) {
        int gg = g;
        int ii = i;
        boolean proxied = victims.stream().anyMatch(v -> v[0] == gg && v[1] == ii);
        started.add(
            starting.submit(
                () -> {
                  BenchMember m =
                      proxied
                          ? BenchMember.startProxied(
                              host, port, CLUSTER, s.group(gg), s.id(gg, ii), s.member())
                          : BenchMember.start(
                              zk.connectString(), CLUSTER, s.group(gg), s.id(gg, ii), s.member());
                  synchronized (members) {
                    members.add(m);
                  }
                  grid[gg][ii] = m;
                  return null;
                }));
      }
    }
    for (Future<?> f : started) {
      f.get();
    }
    starting.shutdown();
    double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
    System.err.printf("%d members up in %.1f s%n", members.size(), setupSeconds);

    List<Rule> rules = rules(s);
    RecordingSink sink = new RecordingSink();
    Pipekeeper monitorPk =
        onNamedThread(MONITOR_CONNECTION, () -> connect(zk.connectString(), s.monitorSessionMs()));
    CuratorFramework raw = onNamedThread(POLLER_CONNECTION, () -> rawClient(zk.connectString()));
    try (monitorPk;
        raw) {
      monitorPk
          .config()
          .set(
              Scope.global(),
              Rules.KEY,
              Rules.toJson(rules),
              ChangeOptions.by("monitorbench").comment("the bench's rules"));
      try (Monitor monitor =
          monitorPk
              .monitor()
              .evaluationInterval(Duration.ofMillis(s.intervalMs()))
              .sink(sink)
              .start()) {
        awaitSteady(monitor, rules.size(), s);
        MonitorBenchReport.Cost cost = cost(s, monitor, monitorPk, raw, server);
        List<MonitorBenchReport.Detection> detections =
            detect(s, zk, grid, members, victims, failing, sink, raw);
        MonitorBenchReport.write(
            s, report, s.members(), rules, setupSeconds, cost, detections, monitorPk);
      }
    }
  }

  /** The defaults, {@code member-down} with the bench's {@code for}, and four explicit rules. */
  private static List<Rule> rules(Settings s) {
    Duration forDuration = Duration.ofMillis(s.forMs());
    List<Rule> rules = new ArrayList<>();
    for (Rule r : Rules.defaults()) {
      rules.add(r.kind() == RuleKind.MEMBER_DOWN ? r.withFor(forDuration) : r);
    }
    rules.add(Rule.of("errors", new Rule.ErrorRate(5)).withFor(forDuration));
    rules.add(
        Rule.of(
            "group-" + s.group(0), new Rule.GroupSize(s.group(0), Math.max(1, s.perGroup() / 2))));
    rules.add(Rule.of("stuck", new Rule.NoProgress(Duration.ofMinutes(1))));
    return rules;
  }

  /** Until the monitor leads, runs the bench's rules and has evaluated three times since. */
  private static void awaitSteady(Monitor monitor, int rules, Settings s)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int seen = 0;
    Evaluation last = null;
    while (seen < 3) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the monitor did not start evaluating the rules");
      }
      Evaluation e = monitor.lastEvaluation().orElse(null);
      if (monitor.isLeading() && e != null && e.rules() == rules && !e.equals(last)) {
        seen++;
        last = e;
      }
      TimeUnit.MILLISECONDS.sleep(Math.max(5, s.intervalMs() / 20));
    }
  }

  private static MonitorBenchReport.Cost cost(
      Settings s, Monitor monitor, Pipekeeper monitorPk, CuratorFramework raw, FourLetterWords zk)
      throws Exception {
    long monitorThread = threadNamed("pipekeeper-monitor");
    List<Long> monitorConnection = threadsStartingWith(MONITOR_CONNECTION);
    List<Long> pollerConnection = threadsStartingWith(POLLER_CONNECTION);
    long monitorSession = monitorPk.sessionId();
    long pollerSession = raw.getZookeeperClient().getZooKeeper().getSessionId();
    NaivePoller poller = new NaivePoller(raw, CLUSTER);
    Stats pollerCpu = new Stats();
    Stats pollerWall = new Stats();
    Stats pollerReads = new Stats();
    Stats pollerReceived = new Stats();
    AtomicLong records = new AtomicLong();
    CountDownLatch pollsDone = new CountDownLatch(1);
    ScheduledExecutorService pollThread =
        Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "naive-poller"));
    long[] lastReceived = {zk.received(pollerSession)};
    // Half an interval after the monitor's last evaluation, so the two rarely overlap.
    Evaluation first = monitor.lastEvaluation().orElseThrow();
    long offset =
        Math.max(
            0,
            s.intervalMs() / 2
                - Duration.between(first.at(), java.time.Instant.now()).toMillis()
                    % s.intervalMs());
    ScheduledFuture<?> polling =
        pollThread.scheduleAtFixedRate(
            () -> {
              try {
                NaivePoller.Poll p = poller.poll();
                long received = zk.received(pollerSession);
                synchronized (pollerCpu) {
                  if (pollerCpu.count() < s.evaluations()) {
                    pollerCpu.add(p.cpuNanos() / 1e6);
                    pollerWall.add(p.wallNanos() / 1e6);
                    pollerReads.add(p.reads());
                    pollerReceived.add(received - lastReceived[0]);
                    records.set(p.records());
                  }
                  lastReceived[0] = received;
                  if (pollerCpu.count() >= s.evaluations()) {
                    pollsDone.countDown();
                  }
                }
              } catch (Exception e) {
                System.err.println("naive poll failed: " + e);
              }
            },
            offset,
            s.intervalMs(),
            TimeUnit.MILLISECONDS);
    Stats cpu = new Stats();
    Stats took = new Stats();
    Stats own = new Stats();
    Stats watch = new Stats();
    Stats all = new Stats();
    Stats received = new Stats();
    long missed = 0;
    Evaluation previous = monitor.lastEvaluation().orElseThrow();
    long cpuBefore = THREADS.getThreadCpuTime(monitorThread);
    long receivedBefore = zk.received(monitorSession);
    long connectionBefore = cpuOf(monitorConnection);
    long pollerConnectionBefore = cpuOf(pollerConnection);
    long windowStart = System.nanoTime();
    while (took.count() < s.evaluations()) {
      TimeUnit.MILLISECONDS.sleep(5);
      Evaluation e = monitor.lastEvaluation().orElseThrow();
      if (e.equals(previous)) {
        continue;
      }
      long cpuNow = THREADS.getThreadCpuTime(monitorThread);
      long receivedNow = zk.received(monitorSession);
      if (Duration.between(previous.at(), e.at()).toMillis() > s.intervalMs() * 3L / 2) {
        missed++; // an evaluation came and went between two looks (or the monitor was late)
      }
      cpu.add((cpuNow - cpuBefore) / 1e6);
      took.add(e.took().toNanos() / 1e6);
      own.add(e.zookeeperReads());
      watch.add(e.watchReads());
      all.add(e.zookeeperReads() + e.watchReads());
      received.add(receivedNow - receivedBefore);
      cpuBefore = cpuNow;
      receivedBefore = receivedNow;
      previous = e;
    }
    double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
    long connectionCpu = cpuOf(monitorConnection) - connectionBefore;
    if (!pollsDone.await(s.intervalMs() * 5L, TimeUnit.MILLISECONDS)) {
      System.err.println("the naive poller did not finish its polls in time");
    }
    long pollerConnectionCpu = cpuOf(pollerConnection) - pollerConnectionBefore;
    polling.cancel(false);
    pollThread.shutdown();
    pollThread.awaitTermination(10, TimeUnit.SECONDS);
    return new MonitorBenchReport.Cost(
        cpu,
        took,
        own,
        watch,
        all,
        received,
        connectionCpu / 1e6 / s.evaluations(),
        pollerCpu,
        pollerWall,
        pollerReads,
        pollerReceived,
        pollerConnectionCpu / 1e6 / Math.max(1, pollerCpu.count()),
        (int) records.get(),
        missed,
        windowSeconds);
  }

  private static List<MonitorBenchReport.Detection> detect(
      Settings s,
      EmbeddedZooKeeper zk,
      BenchMember[][] grid,
      List<BenchMember> members,
      List<int[]> victims,
      List<int[]> failing,
      RecordingSink sink,
      CuratorFramework raw)
      throws Exception {
    List<MonitorBenchReport.Detection> out = new ArrayList<>();
    // A cut-off member's goodbyes wait for connection timeouts; they run aside, not in the rounds.
    ExecutorService burying = Executors.newFixedThreadPool(4);
    Duration patience = Duration.ofMillis(s.member().sessionMs() * 3L + s.forMs() * 3L + 30_000);
    for (int r = 0; r < s.rounds(); r++) {
      BenchMember victim = grid[victims.get(r)[0]][victims.get(r)[1]];
      BenchMember sick = grid[failing.get(r)[0]][failing.get(r)[1]];
      String downKey = "member-down/" + victim.group() + "/" + victim.id();
      String errorsKey = "errors/" + sick.group() + "/" + sick.id();
      long negotiated = victim.negotiatedSessionMs();
      String path = ZkLayout.root(CLUSTER) + ZkLayout.member(victim.group(), victim.id());
      CountDownLatch deleted = new CountDownLatch(1);
      AtomicLong deletedAt = new AtomicLong();
      long[] deletedWall = {0};
      if (raw.checkExists()
              .usingWatcher(
                  (Watcher)
                      event -> {
                        if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                          deletedAt.set(System.nanoTime());
                          deletedWall[0] = System.currentTimeMillis();
                          deleted.countDown();
                        }
                      })
              .forPath(path)
          == null) {
        throw new IllegalStateException(path + " is missing before the cut");
      }
      long switched = sick.failing(true);
      long cut = System.nanoTime();
      victim.cutOff();
      RecordingSink.Delivery down = sink.await(downKey, AlertState.FIRING, patience);
      if (!deleted.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(path + " was not deleted");
      }
      RecordingSink.Delivery errors = sink.await(errorsKey, AlertState.FIRING, patience);
      long failingPublished = sick.failingPublished();
      sick.failing(false);
      // The pending start and the firing are the monitor's clock (wall time, like deletedWall).
      double pendingAfterDelete =
          down.alert().pendingSince().toEpochMilli() - (double) deletedWall[0];
      double pendingToFired =
          down.alert().firedAt().toEpochMilli()
              - (double) down.alert().pendingSince().toEpochMilli();
      burying.execute(victim::close);
      BenchMember replacement =
          BenchMember.start(zk.connectString(), CLUSTER, victim.group(), victim.id(), s.member());
      long rejoined = System.nanoTime();
      grid[victims.get(r)[0]][victims.get(r)[1]] = replacement;
      synchronized (members) {
        members.add(replacement); // closed with the others
      }
      RecordingSink.Delivery resolved = sink.await(downKey, AlertState.RESOLVED, patience);
      MonitorBenchReport.Detection d =
          new MonitorBenchReport.Detection(
              cut,
              deletedAt.get(),
              down.nanos(),
              pendingAfterDelete,
              pendingToFired,
              rejoined,
              resolved.nanos(),
              switched,
              failingPublished,
              errors.nanos(),
              negotiated);
      out.add(d);
      System.err.printf(
          "round %d: %s cut → deleted %.0f ms → FIRING %.0f ms more (pending %.0f ms after the"
              + " deletion, firing %.0f ms after pending); %s errors → published %.0f ms →"
              + " FIRING %.0f ms more%n",
          r,
          victim.id(),
          ms(d.nodeDeleted() - d.cut()),
          ms(d.downFired() - d.nodeDeleted()),
          d.downPendingAfterDeleteMs(),
          d.downPendingToFiredMs(),
          sick.id(),
          ms(d.failingPublished() - d.switched()),
          ms(d.errorsFired() - d.failingPublished()));
    }
    burying.shutdown();
    if (!burying.awaitTermination(120, TimeUnit.SECONDS)) {
      System.err.println("the cut-off members did not close in time");
    }
    return out;
  }

  private static Pipekeeper connect(String connect, int sessionMs) {
    return Pipekeeper.builder()
        .zookeeper(connect)
        .cluster(CLUSTER)
        .identity("monitor")
        .sessionTimeout(Duration.ofMillis(sessionMs))
        .build();
  }

  /** The poller's and the observer's client: no namespace, Pipekeeper's connection defaults. */
  private static CuratorFramework rawClient(String connect) throws InterruptedException {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(connect)
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs(5000)
            .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 3))
            .build();
    client.start();
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException("the raw client did not connect to " + connect);
    }
    return client;
  }

  /** A throwing supplier. */
  private interface Making<T> {
    T make() throws Exception;
  }

  /**
   * Makes a connection on a thread named {@code name}: ZooKeeper names a client's send and event
   * threads after the thread that creates it, so their CPU time can be told apart.
   */
  private static <T> T onNamedThread(String name, Making<T> making) throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
    try {
      return one.submit(making::make).get(60, TimeUnit.SECONDS);
    } finally {
      one.shutdown();
    }
  }

  private static long threadNamed(String name) {
    List<Long> ids = threadsMatching(n -> n.equals(name));
    if (ids.size() != 1) {
      throw new IllegalStateException(ids.size() + " threads are named " + name);
    }
    return ids.get(0);
  }

  private static List<Long> threadsStartingWith(String prefix) {
    List<Long> ids = threadsMatching(n -> n.startsWith(prefix + "-"));
    if (ids.isEmpty()) {
      System.err.println("no threads start with " + prefix + "-");
    }
    return ids;
  }

  private static List<Long> threadsMatching(java.util.function.Predicate<String> name) {
    List<Long> ids = new ArrayList<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && name.test(info.getThreadName())) {
        ids.add(info.getThreadId());
      }
    }
    return ids;
  }

  private static long cpuOf(List<Long> threads) {
    long sum = 0;
    for (long id : threads) {
      long t = THREADS.getThreadCpuTime(id);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }
}
