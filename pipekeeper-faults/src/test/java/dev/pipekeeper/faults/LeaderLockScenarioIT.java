package dev.pipekeeper.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short run of the leader-and-lock scenario that fits the build: three workers, a few faults of
 * every kind drawn from a printed seed ({@code -Dfaults.seed=N} replays one), the history checked.
 * The long run is {@code FaultSuite} (docs/reliability.md).
 */
class LeaderLockScenarioIT {
  @TempDir Path dir;

  @Test
  void underKillsPausesPartitionsAndServerOutagesNothingIsHeldTwiceOrWrittenStale() {
    long seed = Seeds.seed("faults.seed", "LeaderLockScenarioIT");
    LeaderLockScenario.Result result =
        LeaderLockScenario.run(
            new LeaderLockScenario.Settings(
                seed,
                3,
                8,
                Duration.ofSeconds(2),
                TestTimeouts.scaled(Duration.ofSeconds(30)),
                dir));
    System.out.println("LeaderLockScenarioIT: " + result);
    if (!result.passed()) {
      WorkerLogs.print(dir);
    }
    assertThat(result.report().violations()).as("seed %d", seed).isEmpty();
    assertThat(result.stalls()).as("seed %d", seed).isEmpty();
    assertThat(result.report().counts())
        .as("the run did something to judge")
        .containsKeys("granted", "published", "locked", "store_write", "config_applied");
    assertThat(result.injected().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(8);
  }
}
