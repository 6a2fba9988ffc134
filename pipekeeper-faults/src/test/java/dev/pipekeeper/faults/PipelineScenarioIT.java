package dev.pipekeeper.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.Mode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The short run of the pipeline scenario: three instances of an exactly-once pipeline fed all
 * along, five faults from a printed seed ({@code -Dfaults.seed=N} replays one), the output read
 * {@code read_committed}: every record once.
 */
class PipelineScenarioIT {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(
      value = Mode.class,
      names = {"SINGLETON", "PARALLEL", "SHARDED"})
  void underFaultsEveryRecordComesOutExactlyOnce(Mode mode) {
    long seed = Seeds.seed("faults.seed", "PipelineScenarioIT " + mode);
    PipelineScenario.Result result =
        PipelineScenario.run(
            new PipelineScenario.Settings(
                seed,
                mode,
                3,
                5,
                1000,
                Duration.ofSeconds(2),
                TestTimeouts.scaled(Duration.ofSeconds(60)),
                dir.resolve(mode.name()),
                // the long runs' bound; a broker restart's own 15-20 s lie inside its window
                // and are not counted against the fault before it (docs/reliability.md)
                TestTimeouts.scaled(PipelineScenario.RESUME)));
    System.out.println("PipelineScenarioIT " + mode + ": " + result);
    if (!result.output().violations().isEmpty()) {
      WorkerLogs.print(dir.resolve(mode.name()));
    }
    assertThat(result.output().violations()).as("seed %d", seed).isEmpty();
    assertThat(result.writers()).as("the instances that wrote output").isNotEmpty();
  }
}
