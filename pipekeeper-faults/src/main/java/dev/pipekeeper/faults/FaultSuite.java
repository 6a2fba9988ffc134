package dev.pipekeeper.faults;

import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.kafka.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The long run of the fault suite, from the command line (docs/reliability.md):
 *
 * <pre>{@code
 * ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl pipekeeper-faults exec:exec \
 *     -Dfaults.args="--faults 60 --workers 3 --session-ms 2000 --seed 42"
 * }</pre>
 *
 * <p>{@code --scenario trap-curator-696} (or another {@link Trap}) provokes one known trap {@code
 * --rounds N} times (default 10) on a three-server ensemble of its own.
 *
 * <p>Prints the seed, each fault, the checker's verdict and the figures; exits 1 when an invariant
 * was broken or the role stalled after a fault, 2 on bad arguments.
 */
public final class FaultSuite {
  private static final List<String> SCENARIOS =
      List.of("leader-lock", "pipeline-singleton", "pipeline-parallel", "pipeline-sharded");

  private FaultSuite() {}

  public static void main(String[] args) throws Exception {
    long seed = System.nanoTime();
    int faults = 60;
    int workers = 3;
    long sessionMs = 2000;
    String scenario = "leader-lock";
    int records = 5000;
    int rounds = 10;
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--seed" -> seed = Long.parseLong(value);
          case "--faults" -> faults = Integer.parseInt(value);
          case "--workers" -> workers = Integer.parseInt(value);
          case "--session-ms" -> sessionMs = Long.parseLong(value);
          case "--scenario" -> scenario = value;
          case "--records" -> records = Integer.parseInt(value);
          case "--rounds" -> rounds = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        i++;
      }
      if (faults < 1 || workers < 2 || sessionMs < 1000 || records < 1 || rounds < 1) {
        throw new IllegalArgumentException(
            "need --faults >= 1, --workers >= 2, --session-ms >= 1000, --records >= 1 and"
                + " --rounds >= 1");
      }
      List<String> scenarios = new ArrayList<>(SCENARIOS);
      scenarios.addAll(Trap.scenarios());
      if (!scenarios.contains(scenario)) {
        throw new IllegalArgumentException(
            "unknown --scenario " + scenario + " (" + String.join(", ", scenarios) + ")");
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      System.err.println("faults: " + e.getMessage());
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("pipekeeper-faults-");
    System.out.println("seed " + seed + " (replay: --seed " + seed + "), data in " + dir);
    Optional<Trap> trap = Trap.named(scenario);
    boolean passed =
        trap.isPresent()
            ? trap(trap.get(), seed, rounds, sessionMs, dir)
            : scenario.equals("leader-lock")
                ? leaderLock(seed, workers, faults, sessionMs, dir)
                : pipeline(
                    seed,
                    Mode.valueOf(scenario.substring("pipeline-".length()).toUpperCase(Locale.ROOT)),
                    workers,
                    faults,
                    records,
                    sessionMs,
                    dir);
    System.exit(passed ? 0 : 1);
  }

  /** A known trap provoked {@code rounds} times on a three-server ensemble of its own. */
  private static boolean trap(Trap trap, long seed, int rounds, long sessionMs, Path dir) {
    try (EmbeddedZooKeeper zk =
        EmbeddedZooKeeper.builder()
            .servers(3)
            .quiet(true)
            .dataDir(dir.resolve("zookeeper"))
            .build()
            .start()) {
      Trap.Result result =
          trap.run(
              new Trap.Settings(
                  seed, rounds, Duration.ofMillis(sessionMs), Duration.ofSeconds(30), dir),
              zk,
              "faults");
      System.out.println("rounds: " + rounds + ", events and figures: " + result.report().counts());
      result.skippedLines().forEach(line -> System.out.println("skipped: " + line));
      return verdict(result.report(), 0);
    }
  }

  private static boolean leaderLock(long seed, int workers, int faults, long sessionMs, Path dir) {
    LeaderLockScenario.Result result =
        LeaderLockScenario.run(
            new LeaderLockScenario.Settings(
                seed, workers, faults, Duration.ofMillis(sessionMs), Duration.ofSeconds(30), dir));
    System.out.println("faults injected: " + result.injected());
    System.out.println("events judged: " + result.report().counts());
    List<Duration> recoveries = result.recoveries().stream().sorted().toList();
    if (!recoveries.isEmpty()) {
      System.out.println(
          "first publication after a fault ended: p50 "
              + recoveries.get(recoveries.size() / 2).toMillis()
              + " ms, max "
              + recoveries.get(recoveries.size() - 1).toMillis()
              + " ms");
    }
    result.skippedLines().forEach(line -> System.out.println("skipped: " + line));
    result.stalls().forEach(stall -> System.out.println("STALL " + stall));
    return verdict(result.report(), result.stalls().size());
  }

  private static boolean pipeline(
      long seed, Mode mode, int workers, int faults, int records, long sessionMs, Path dir) {
    PipelineScenario.Result result =
        PipelineScenario.run(
            new PipelineScenario.Settings(
                seed,
                mode,
                workers,
                faults,
                records,
                Duration.ofMillis(sessionMs),
                Duration.ofSeconds(120),
                dir,
                PipelineScenario.RESUME));
    System.out.println("faults injected: " + result.injected());
    System.out.println("output: " + result.output().counts() + ", written by " + result.writers());
    System.out.println(
        "restarts refused while the killed predecessor's session lived: "
            + result.restartsBeforeReady());
    return verdict(result.output(), 0);
  }

  private static boolean verdict(HistoryChecker.Report report, int stalls) {
    report.violations().forEach(v -> System.out.println("VIOLATION " + v));
    boolean passed = report.passed() && stalls == 0;
    System.out.println(
        passed
            ? "PASSED: 0 violations, 0 stalls"
            : "FAILED: " + report.violations().size() + " violations, " + stalls + " stalls");
    return passed;
  }
}
