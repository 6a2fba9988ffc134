package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.AssignmentStatus;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkUnits;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scale (issue 20, item 5; design target P9): {@code members} workers join one group at once, with
 * {@code units} work units, and the group converges; then every member is restarted in turn.
 *
 * <p>How: one ZooKeeper server ({@link Environment#zooKeeper}); an admin connection puts the units;
 * every member's connection is opened ({@link ScaleMembers}), then all workers start at once behind
 * one gate. Converged means: every worker saw the same, newest assignment, which gives every unit
 * to one of the members and every member some units, and every worker runs exactly its share (which
 * it can only do holding the units' owner nodes); afterwards the admin's {@code status()} confirms
 * that no move is pending. The server's counts ({@link ServerCounts}, from {@code mntr}) are read
 * just before the gate opens and once converged. A quiet window of {@code quietS} seconds after it
 * gives the background rate (heartbeats, pings) to set against them.
 *
 * <p>Rolling restart: members are restarted one after the other, each closed gracefully and
 * replaced by a new connection and worker with the same id; the next restart begins once the
 * replacement runs units again (as a deployment waits for each new instance to be ready), and the
 * counts run until the whole group converged after the last. {@code restarts=N} restarts only the
 * first N members (a full roll of 500 takes most of an hour on two cores).
 *
 * <p>Baseline, on a fresh server of its own: the same number of members built from raw Curator
 * recipes as a group where everyone watches everyone ({@link ScaleBaseline}), the M² join storm.
 * The notifications of every phase are also given against M².
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec -Dbench.heap=-Xmx3g
 * -Dbench.main=dev.pipekeeper.bench.ScaleBench -Dbench.args="members=500 units=10000"}.
 */
public final class ScaleBench {
  private ScaleBench() {}

  /** What one phase cost: its time and the server's counts over it. */
  private record Phase(
      String name, int members, double seconds, long generations, ServerCounts c) {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int members = settings.integer("members", 500, 2);
    int units = settings.integer("units", 10_000, 1);
    int sessionMs = settings.integer("sessionMs", 30_000, 1000);
    int threads = settings.integer("threads", 16, 1);
    int quietS = settings.integer("quietS", 10, 1);
    int boundS = settings.integer("boundS", 600, 10);
    int restarts = settings.integer("restarts", members, 0);
    boolean baseline = settings.string("baseline", "true").equals("true");
    Duration bound = Duration.ofSeconds(boundS);
    WorkerOptions options = WorkerOptions.defaults();
    List<Phase> phases = new ArrayList<>();
    Stats restartMillis = new Stats();
    long[] handlerCalls = new long[2];
    int[] leaderRestarts = new int[1];
    double quietPerSecond;
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings)) {
      settings.checkNoneUnknown();
      FourLetterWords server = new FourLetterWords("127.0.0.1", zk.server(1).clientPort());
      try (Pipekeeper admin = admin(zk.connectString(), sessionMs);
          ScaleMembers group =
              new ScaleMembers(zk.connectString(), members, units, sessionMs, options, threads)) {
        putUnits(admin.workUnits(ScaleMembers.GROUP), units, threads);
        log("%d units put; connecting %d members", units, members);
        group.connectAll();
        log("%d members connected; starting them at once", members);
        ServerCounts[] before = new ServerCounts[1];
        long opened = group.startAll(() -> before[0] = ServerCounts.read(server));
        Assignment joined = group.awaitConverged(bound);
        double seconds = (System.nanoTime() - opened) / 1e9;
        ServerCounts after = ServerCounts.read(server);
        phases.add(
            new Phase(
                "join at once", members, seconds, joined.generation(), after.minus(before[0])));
        log("converged in %.1f s at generation %d", seconds, joined.generation());
        confirmNoPendingMoves(admin, units);
        ServerCounts quietStart = ServerCounts.read(server);
        TimeUnit.SECONDS.sleep(quietS); // a timed window: the background rate
        quietPerSecond =
            ServerCounts.read(server).minus(quietStart).packetsReceived() / (double) quietS;
        if (restarts > 0) {
          ServerCounts restartBefore = ServerCounts.read(server);
          long restartOpened = System.nanoTime();
          for (int i = 0; i < Math.min(restarts, members); i++) {
            long t = System.nanoTime();
            if (group.restart(i, bound)) {
              leaderRestarts[0]++;
            }
            restartMillis.add((System.nanoTime() - t) / 1e6);
            if ((i + 1) % 50 == 0) {
              log("%d members restarted", i + 1);
            }
          }
          Assignment rolled = group.awaitConverged(bound);
          double rollSeconds = (System.nanoTime() - restartOpened) / 1e9;
          ServerCounts restartAfter = ServerCounts.read(server);
          phases.add(
              new Phase(
                  restarts >= members
                      ? "rolling restart of every member"
                      : "rolling restart of the first " + restarts + " members",
                  members,
                  rollSeconds,
                  rolled.generation() - joined.generation(),
                  restartAfter.minus(restartBefore)));
          log("rolling restart converged in %.1f s", rollSeconds);
          confirmNoPendingMoves(admin, units);
        }
        handlerCalls[0] = group.handlerStarts();
        handlerCalls[1] = group.handlerStops();
      }
    }
    if (baseline) {
      try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings)) {
        FourLetterWords server = new FourLetterWords("127.0.0.1", zk.server(1).clientPort());
        try (ScaleBaseline naive = new ScaleBaseline(zk.connectString(), members, sessionMs)) {
          ServerCounts[] before = new ServerCounts[1];
          long opened = naive.startAll(threads, () -> before[0] = ServerCounts.read(server));
          naive.awaitJoined(bound);
          double seconds = (System.nanoTime() - opened) / 1e9;
          phases.add(
              new Phase(
                  "baseline: Curator PersistentNode + CuratorCache each, join at once",
                  members,
                  seconds,
                  0,
                  ServerCounts.read(server).minus(before[0])));
        }
      }
    }
    System.out.print(
        report(
            settings,
            units,
            phases,
            restartMillis,
            leaderRestarts[0],
            quietPerSecond,
            handlerCalls));
  }

  private static String report(
      BenchArgs settings,
      int units,
      List<Phase> phases,
      Stats restartMillis,
      int leaderRestarts,
      double quietPerSecond,
      long[] handlerCalls) {
    StringBuilder out = new StringBuilder(Environment.header("ScaleBench", settings));
    out.append(
        "| phase | members | units | time to converge (s) | generations | watch notifications"
            + " | of which data changed | notifications / M² | reads | writes | packets received"
            + " | packets sent | response MiB |\n");
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Phase p : phases) {
      double square = (double) p.members() * p.members();
      boolean pipekeeper = !p.name().startsWith("baseline");
      out.append(
          String.format(
              "| %s | %d | %s | %.1f | %s | %d | %d | %.3f | %d | %d | %d | %d | %.1f |%n",
              p.name(),
              p.members(),
              pipekeeper ? Integer.toString(units) : "—",
              p.seconds(),
              pipekeeper ? Long.toString(p.generations()) : "—",
              p.c().notifications(),
              p.c().dataChangedNotifications(),
              p.c().notifications() / square,
              p.c().reads(),
              p.c().writes(),
              p.c().packetsReceived(),
              p.c().packetsSent(),
              p.c().responseBytes() / (1024.0 * 1024.0)));
    }
    if (restartMillis.count() > 0) {
      out.append(
          String.format(
              "%nPer restart (close → the replacement runs units): p50 %.0f ms, p99 %.0f ms, max"
                  + " %.0f ms over %d restarts, in member order (m-000 first); %d of them"
                  + " restarted the group's leader.%n",
              restartMillis.percentile(50),
              restartMillis.percentile(99),
              restartMillis.max(),
              restartMillis.count(),
              leaderRestarts));
    }
    out.append(
        String.format(
            "Background once converged: %.0f packets received per second (heartbeats, pings)."
                + " Handler calls in all: %d starts, %d stops.%n",
            quietPerSecond, handlerCalls[0], handlerCalls[1]));
    return out.toString();
  }

  /** The admin's own read of the owner nodes: every unit owned as assigned. */
  private static void confirmNoPendingMoves(Pipekeeper admin, int units) {
    AssignmentStatus status = admin.assignments(ScaleMembers.GROUP).status();
    if (!status.pendingMoves().isEmpty() || status.owners().size() != units) {
      throw new IllegalStateException(
          status.pendingMoves().size()
              + " moves pending, "
              + status.owners().size()
              + " of "
              + units
              + " units owned");
    }
  }

  private static void putUnits(WorkUnits unitsOf, int units, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < units; i++) {
        String name = String.format("unit-%05d", i);
        done.add(pool.submit(() -> unitsOf.put(WorkUnit.of(name))));
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static Pipekeeper admin(String connect, int sessionMs) {
    return Pipekeeper.builder()
        .zookeeper(connect)
        .cluster(ScaleMembers.CLUSTER)
        .identity("admin")
        .sessionTimeout(Duration.ofMillis(sessionMs))
        .build();
  }

  private static void log(String format, Object... args) {
    System.err.printf("[ScaleBench] " + format + "%n", args);
  }
}
