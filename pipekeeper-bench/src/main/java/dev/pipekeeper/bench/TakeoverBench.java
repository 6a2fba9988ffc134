package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;

/**
 * Leader takeover time (docs/design.md §7, P2), in five cases:
 *
 * <ul>
 *   <li>{@code latch}: the reference, Curator's {@code LeaderLatch.close()} → the next latch's
 *       {@code isLeader()}; no target, it shows what the recipe alone costs in the same run;
 *   <li>{@code leadership}: Pipekeeper's {@code Leadership.close()} → the next contender's grant;
 *   <li>{@code connection}: {@code Pipekeeper.close()} of the leader's connection → the next grant;
 *   <li>{@code kill}: the leader runs in a child JVM, killed with SIGKILL → the next grant;
 *   <li>{@code blackhole}: the leader's connection goes through a {@code TcpProxy} that is
 *       blackholed → the next grant.
 * </ul>
 *
 * <p>Targets: graceful at most 250 ms p99; killed at most the negotiated session timeout + 1 s p99.
 * See {@link GracefulTakeovers} and {@link KilledLeaderTakeovers} for what exactly is timed. The
 * server runs in this JVM by default ({@code server=child} moves it out); the killed leader always
 * runs in a JVM of its own.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.TakeoverBench -Dbench.args="rounds=20 kills=10
 * sessionMs=2000"}.
 */
public final class TakeoverBench {
  private static final double GRACEFUL_TARGET_MS = 250;
  private static final String CLUSTER = "takeoverbench";

  private TakeoverBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int rounds = settings.integer("rounds", 20, 1);
    int kills = settings.integer("kills", 10, 1);
    int warmup = settings.integer("warmup", 3, 0);
    int contenders = settings.integer("contenders", 3, 2);
    int sessionMs = settings.integer("sessionMs", 2000, 1000);
    List<String> cases =
        settings.list(
            "cases",
            "latch,leadership,connection,kill,blackhole",
            List.of("latch", "leadership", "connection", "kill", "blackhole"));
    StringBuilder report = new StringBuilder();
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings);
        Pipekeeper observer =
            GracefulTakeovers.connect(zk.connectString(), CLUSTER, "observer", sessionMs)) {
      settings.checkNoneUnknown();
      report.append(Environment.header("TakeoverBench", settings));
      report.append(
          "| case | takeovers | p50 (ms) | p99 (ms) | max (ms) | target p99 (ms) | p99 / target |\n");
      report.append("| --- | --- | --- | --- | --- | --- | --- |\n");
      Setup setup = new Setup(zk, observer, contenders, sessionMs);
      StringBuilder parts = new StringBuilder();
      for (String name : cases) {
        report.append(
            switch (name) {
              case "latch" -> latch(setup, warmup, rounds);
              case "leadership" -> graceful(setup, false, warmup, rounds);
              case "connection" -> graceful(setup, true, warmup, rounds);
              default -> killed(setup, name.equals("kill"), kills, parts);
            });
        System.err.println("done: " + name);
      }
      if (parts.length() > 0) {
        report.append(
            "\nWhere a killed leader's takeover goes, as a watch of another client on the leader's"
                + " election node sees it:\n\n"
                + "| case | cut → node deleted by the server, p50 / max (ms)"
                + " | node deleted → next lease granted, p50 / max (ms) |\n"
                + "| --- | --- | --- |\n");
        report.append(parts);
      }
      report.append(
          String.format(
              "%nSession timeout asked for: %d ms; negotiated (observer connection): %d ms.%n",
              sessionMs, observer.negotiatedSessionTimeout().toMillis()));
    }
    System.out.print(report);
  }

  /** What every case needs. */
  private record Setup(EmbeddedZooKeeper zk, Pipekeeper observer, int contenders, int sessionMs) {
    String connect() {
      return zk.connectString();
    }
  }

  private static String latch(Setup setup, int warmup, int rounds) throws Exception {
    try (CuratorFramework observer = CuratorBaseline.client(setup.connect(), setup.sessionMs())) {
      Stats millis =
          GracefulTakeovers.measure(
              GracefulTakeovers.curator(setup.connect(), "graceful", setup.sessionMs()),
              GracefulTakeovers.curatorContenders(observer, "graceful"),
              setup.contenders(),
              warmup,
              rounds);
      return row(
          "graceful: Curator `LeaderLatch.close()` → `isLeader()` (reference)", millis, Double.NaN);
    }
  }

  private static String graceful(Setup setup, boolean connection, int warmup, int rounds)
      throws Exception {
    String role = connection ? "graceful-connection" : "graceful-leadership";
    Stats millis =
        GracefulTakeovers.measure(
            GracefulTakeovers.pipekeeper(
                setup.connect(), CLUSTER, role, setup.sessionMs(), connection),
            GracefulTakeovers.pipekeeperContenders(setup.observer(), role),
            setup.contenders(),
            warmup,
            rounds);
    return row(
        connection
            ? "graceful: `Pipekeeper.close()` → granted"
            : "graceful: `Leadership.close()` → granted",
        millis,
        GRACEFUL_TARGET_MS);
  }

  private static String killed(Setup setup, boolean kill, int kills, StringBuilder parts)
      throws Exception {
    List<Pipekeeper> followers = new ArrayList<>();
    try (CuratorFramework raw = CuratorBaseline.client(setup.connect(), setup.sessionMs())) {
      for (int i = 1; i < setup.contenders(); i++) {
        followers.add(
            GracefulTakeovers.connect(
                setup.connect(), CLUSTER, "follower-" + i, setup.sessionMs()));
      }
      KilledLeaderTakeovers.Result result =
          KilledLeaderTakeovers.measure(
              kill
                  ? KilledLeaderTakeovers.killedProcess(setup.connect(), CLUSTER, setup.sessionMs())
                  : KilledLeaderTakeovers.blackholed(
                      "127.0.0.1", setup.zk().server(1).clientPort(), CLUSTER, setup.sessionMs()),
              followers,
              setup.observer(),
              new RawObserver(raw, CLUSTER),
              kill ? "kill" : "blackhole",
              kills);
      String what =
          (kill ? "kill -9 of the leader's JVM" : "blackhole of the leader's connection")
              + " → granted (session "
              + result.negotiatedMs()
              + " ms)";
      parts.append(
          String.format(
              "| %s | %.0f / %.0f | %.0f / %.0f |%n",
              what,
              result.expiry().percentile(50),
              result.expiry().max(),
              result.handover().percentile(50),
              result.handover().max()));
      return row(what, result.millis(), result.negotiatedMs() + 1000.0);
    } finally {
      followers.forEach(Pipekeeper::close);
    }
  }

  private static String row(String what, Stats millis, double targetMs) {
    boolean hasTarget = !Double.isNaN(targetMs);
    double p99 = millis.percentile(99);
    return String.format(
        "| %s | %d | %.0f | %.0f | %.0f | %s | %s |%n",
        what,
        millis.count(),
        millis.percentile(50),
        p99,
        millis.max(),
        hasTarget ? String.format("≤ %.0f", targetMs) : "—",
        hasTarget
            ? String.format("%.2f (%s)", p99 / targetMs, p99 <= targetMs ? "met" : "missed")
            : "—");
  }
}
