package dev.pipekeeper.core.health;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a member says about itself, published at its health interval to {@code health/GROUP/MEMBER}
 * (ephemeral: it goes when the member's session goes).
 *
 * @param group the group (for a pipeline, its name)
 * @param member the member id
 * @param state the member's own word for its state (for a pipeline: RUNNING, PAUSED, FAILED, ...)
 * @param processed input records processed since the member started
 * @param recordsInPerSecond input records processed per second over the last interval
 * @param recordsOutPerSecond output records sent per second over the last interval
 * @param errors processing errors since the member started (failed attempts, dead letters)
 * @param errorsPerSecond errors per second over the last interval
 * @param lastProgress when the member last processed a record, or null if it has not yet
 * @param lag records behind, per partition ({@code topic-partition}) or work unit, where known
 * @param appliedConfig the configuration version applied per scope ({@code pipeline/NAME} → n)
 * @param lastKnownGood keys whose stored value is invalid (or does not convert to a binding's
 *     type), for which a last good value is kept
 * @param at when the record was written
 */
public record HealthReport(
    String group,
    String member,
    String state,
    long processed,
    double recordsInPerSecond,
    double recordsOutPerSecond,
    long errors,
    double errorsPerSecond,
    Instant lastProgress,
    Map<String, Long> lag,
    Map<String, Integer> appliedConfig,
    List<String> lastKnownGood,
    Instant at) {

  public HealthReport {
    lag = lag == null ? Map.of() : Map.copyOf(lag);
    appliedConfig = appliedConfig == null ? Map.of() : Map.copyOf(appliedConfig);
    lastKnownGood = lastKnownGood == null ? List.of() : List.copyOf(lastKnownGood);
  }

  /** The total lag over partitions or units, where known. */
  public long totalLag() {
    return lag.values().stream().mapToLong(Long::longValue).sum();
  }
}
