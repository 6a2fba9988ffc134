package dev.pipekeeper.core.monitor;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link MonitorProbe} found in one evaluation.
 *
 * @param system the system asked, e.g. {@code kafka}
 * @param reachable whether it answered
 * @param error why not, when it did not
 * @param offsets per consumer group asked for that exists there, per partition ({@code
 *     topic-partition}), its committed and end offsets
 * @param at when the probe ran
 */
public record ProbeReport(
    String system,
    boolean reachable,
    Optional<String> error,
    Map<String, Map<String, PartitionOffsets>> offsets,
    Instant at) {

  public ProbeReport {
    error = error == null ? Optional.empty() : error;
    offsets = offsets == null ? Map.of() : Map.copyOf(offsets);
  }

  public static ProbeReport unreachable(String system, String error, Instant at) {
    return new ProbeReport(system, false, Optional.of(error), Map.of(), at);
  }
}
