package dev.pipekeeper.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The long run of the fault suite, from the command line (docs/reliability.md):
 *
 * <pre>{@code
 * ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl pipekeeper-faults exec:exec \
 *     -Dfaults.args="--faults 60 --workers 3 --session-ms 2000 --seed 42"
 * }</pre>
 *
 * Prints the seed, each fault, the checker's verdict and the figures; exits 1 when an invariant was
 * broken or the role stalled after a fault, 2 on bad arguments.
 */
public final class FaultSuite {
  private FaultSuite() {}

  public static void main(String[] args) throws Exception {
    long seed = System.nanoTime();
    int faults = 60;
    int workers = 3;
    long sessionMs = 2000;
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--seed" -> seed = Long.parseLong(value);
          case "--faults" -> faults = Integer.parseInt(value);
          case "--workers" -> workers = Integer.parseInt(value);
          case "--session-ms" -> sessionMs = Long.parseLong(value);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        i++;
      }
      if (faults < 1 || workers < 2 || sessionMs < 1000) {
        throw new IllegalArgumentException(
            "need --faults >= 1, --workers >= 2 and --session-ms >= 1000");
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      System.err.println("faults: " + e.getMessage());
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("pipekeeper-faults-");
    System.out.println("seed " + seed + " (replay: --seed " + seed + "), data in " + dir);
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
    result.report().violations().forEach(v -> System.out.println("VIOLATION " + v));
    System.out.println(
        result.passed()
            ? "PASSED: 0 violations, 0 stalls"
            : "FAILED: "
                + result.report().violations().size()
                + " violations, "
                + result.stalls().size()
                + " stalls");
    System.exit(result.passed() ? 0 : 1);
  }
}
