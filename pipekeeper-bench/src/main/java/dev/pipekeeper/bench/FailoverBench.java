package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.AssignmentStatus;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Work-unit failover (issue 5): from a member's end to every unit it ran running on other members.
 *
 * <ul>
 *   <li>{@code kill}: the victim is a {@link FailoverMember} in a child JVM, killed with {@code
 *       kill -9}; the others learn of it only when the server expires its session. Target: at most
 *       the negotiated session timeout + 1 s, p99.
 *   <li>{@code close}: the victim is a worker in this JVM, closed gracefully; its units should move
 *       at once (no target in figures; for comparison).
 * </ul>
 *
 * <p>Each round uses a fresh group of {@code units} units and {@code members} members (the victim
 * and the survivors, which are workers on connections of this JVM kept for the whole run); once the
 * assignment is settled with the victim running its share, the victim ends and the clock runs until
 * the survivors' handlers have started the last of its units.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.FailoverBench -Dbench.args="rounds=10 units=100 members=5
 * sessionMs=2000"}.
 */
public final class FailoverBench {
  private static final String CLUSTER = "failoverbench";
  private static final String VICTIM = "victim";
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private FailoverBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int sessionMs = settings.integer("sessionMs", 2000, 1000);
    int debounceMs =
        settings.integer("debounceMs", (int) WorkerOptions.defaults().debounce().toMillis(), 0);
    // Stops within a third of the session, so a cut-off member has stopped before it expires.
    WorkerOptions options =
        WorkerOptions.defaults()
            .withDebounce(Duration.ofMillis(debounceMs))
            .withStopTimeout(Duration.ofMillis(sessionMs / 4));
    StringBuilder report = new StringBuilder();
    List<Pipekeeper> survivors = new ArrayList<>();
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings);
        Pipekeeper admin = connect(zk.connectString(), "admin", sessionMs)) {
      try {
        run(settings, zk, admin, survivors, report, options);
      } finally {
        survivors.forEach(Pipekeeper::close); // before the server stops
      }
    }
    System.out.print(report);
  }

  private static void run(
      BenchArgs settings,
      EmbeddedZooKeeper zk,
      Pipekeeper admin,
      List<Pipekeeper> survivors,
      StringBuilder report,
      WorkerOptions options)
      throws Exception {
    int rounds = settings.integer("rounds", 10, 1);
    int units = settings.integer("units", 100, 1);
    int members = settings.integer("members", 5, 2);
    int sessionMs = settings.integer("sessionMs", 2000, 1000);
    int debounceMs = (int) options.debounce().toMillis();
    List<String> cases = settings.list("cases", "kill,close", List.of("kill", "close"));
    settings.checkNoneUnknown();
    for (int i = 1; i < members; i++) {
      survivors.add(connect(zk.connectString(), "survivor-" + i, sessionMs));
    }
    report.append(Environment.header("FailoverBench", settings));
    report.append(
        "| case | rounds | units moved per round | p50 (ms) | p99 (ms) | max (ms) | target p99"
            + " (ms) | result |\n");
    report.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    Round setup = new Round(zk.connectString(), admin, survivors, units, sessionMs, options);
    for (String name : cases) {
      Stats millis = new Stats();
      Stats moved = new Stats();
      long negotiated = 0;
      for (int round = 0; round < rounds; round++) {
        Result result =
            name.equals("kill")
                ? setup.kill(name + "-" + round, debounceMs)
                : setup.close(name + "-" + round);
        millis.add(result.millis());
        moved.add(result.units());
        negotiated = result.negotiatedMs();
        System.err.printf(
            "%s round %d: %d units running elsewhere %.0f ms after the end%n",
            name, round, result.units(), result.millis());
      }
      double target = name.equals("kill") ? negotiated + 1000.0 : Double.NaN;
      double p99 = millis.percentile(99);
      report.append(
          String.format(
              "| %s | %d | %.0f | %.0f | %.0f | %.0f | %s | %s |%n",
              name.equals("kill")
                  ? "kill -9 of a member's JVM (session " + negotiated + " ms)"
                  : "graceful `GroupWorker.close()`",
              millis.count(),
              moved.percentile(50),
              millis.percentile(50),
              p99,
              millis.max(),
              Double.isNaN(target) ? "—" : String.format("≤ %.0f", target),
              Double.isNaN(target)
                  ? "—"
                  : String.format("%.2f (%s)", p99 / target, p99 <= target ? "met" : "missed")));
    }
    report.append(
        String.format(
            "%n%d units over %d members (the victim and %d survivors); debounce %d ms.%n",
            units, members, members - 1, debounceMs));
  }

  private static Pipekeeper connect(String connect, String identity, int sessionMs) {
    return Pipekeeper.builder()
        .zookeeper(connect)
        .cluster(CLUSTER)
        .identity(identity)
        .sessionTimeout(Duration.ofMillis(sessionMs))
        .build();
  }

  /** One failover's figures. */
  private record Result(double millis, int units, long negotiatedMs) {}

  /** What a round needs, and the two ways a round ends its victim. */
  private record Round(
      String connect,
      Pipekeeper admin,
      List<Pipekeeper> survivors,
      int units,
      int sessionMs,
      WorkerOptions options) {

    Result kill(String group, int debounceMs) throws Exception {
      Survivors watch = new Survivors();
      List<GroupWorker> workers = join(group, watch);
      try (LeaderProcess victim =
          LeaderProcess.start(
              FailoverMember.class,
              List.of(
                  connect,
                  CLUSTER,
                  group,
                  VICTIM,
                  Integer.toString(sessionMs),
                  Integer.toString(debounceMs)))) {
        long negotiated = Long.parseLong(victim.await("SESSION", SETTLE));
        Set<String> ofVictim = settled(group);
        return new Result(
            watch.timeEnd(ofVictim, victim::kill, negotiated), ofVictim.size(), negotiated);
      } finally {
        workers.forEach(GroupWorker::close);
      }
    }

    Result close(String group) throws Exception {
      Survivors watch = new Survivors();
      List<GroupWorker> workers = join(group, watch);
      try (Pipekeeper pk = FailoverBench.connect(connect, VICTIM, sessionMs)) {
        GroupWorker victim = pk.worker(group, MemberInfo.defaults().id(VICTIM), watch, options);
        Set<String> ofVictim = settled(group);
        long negotiated = pk.negotiatedSessionTimeout().toMillis();
        return new Result(
            watch.timeEnd(ofVictim, victim::close, negotiated), ofVictim.size(), negotiated);
      } finally {
        workers.forEach(GroupWorker::close);
      }
    }

    private List<GroupWorker> join(String group, Survivors watch) {
      for (int i = 0; i < units; i++) {
        admin.workUnits(group).put(WorkUnit.of(String.format("unit-%04d", i)));
      }
      List<GroupWorker> workers = new ArrayList<>();
      for (Pipekeeper pk : survivors) {
        workers.add(pk.worker(group, MemberInfo.defaults().id(pk.identity()), watch, options));
      }
      return workers;
    }

    /** Waits until every unit runs where assigned, the victim included; its units. */
    private Set<String> settled(String group) throws InterruptedException {
      long deadline = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < deadline) {
        AssignmentStatus status = admin.assignments(group).status();
        Set<String> ofVictim =
            status.owners().entrySet().stream()
                .filter(e -> e.getValue().equals(VICTIM))
                .map(java.util.Map.Entry::getKey)
                .collect(Collectors.toSet());
        if (status.pendingMoves().isEmpty()
            && status.owners().size() == units
            && !ofVictim.isEmpty()
            && status.assignment().map(a -> a.owners().size() == units).orElse(false)) {
          return ofVictim;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      throw new IllegalStateException("group " + group + " did not settle within " + SETTLE);
    }
  }

  /** The survivors' handler: notes when the last of the victim's units starts among them. */
  private static final class Survivors implements UnitHandler {
    private final Set<String> awaited = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastStart = new AtomicLong();
    private volatile CountDownLatch allStarted = new CountDownLatch(0);

    /** Ends the victim with {@code end} and times it until all of {@code units} run elsewhere. */
    double timeEnd(Set<String> units, Runnable end, long negotiatedMs) throws InterruptedException {
      awaited.addAll(units);
      allStarted = new CountDownLatch(1);
      long start = System.nanoTime();
      end.run();
      if (!allStarted.await(negotiatedMs + 30_000, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(awaited.size() + " units never started elsewhere");
      }
      return (lastStart.get() - start) / 1e6;
    }

    @Override
    public void start(UnitOwnership unit) {
      long now = System.nanoTime();
      if (awaited.remove(unit.unit()) && awaited.isEmpty()) {
        lastStart.set(now);
        allStarted.countDown();
      }
    }

    @Override
    public void stop(UnitOwnership unit) {}
  }
}
