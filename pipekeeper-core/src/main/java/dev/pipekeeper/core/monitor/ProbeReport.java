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
 * @param refused what the system answered but refused to tell this probe's principal, by resource
 *     ({@code group NAME}, {@code topic NAME}), with the reason: an authorization the probe lacks,
 *     not an outage; those groups' offsets are absent from {@code offsets}
 * @param at when the probe ran
 */
public record ProbeReport(
    String system,
    boolean reachable,
    Optional<String> error,
    Map<String, Map<String, PartitionOffsets>> offsets,
    Map<String, String> refused,
    Instant at) {

  public ProbeReport {
    error = error == null ? Optional.empty() : error;
    offsets = offsets == null ? Map.of() : Map.copyOf(offsets);
    refused = refused == null ? Map.of() : Map.copyOf(refused);
  }

  /** A report of a system that answered everything asked. */
  public ProbeReport(
      String system,
      boolean reachable,
      Optional<String> error,
      Map<String, Map<String, PartitionOffsets>> offsets,
      Instant at) {
    this(system, reachable, error, offsets, Map.of(), at);
  }

  public static ProbeReport unreachable(String system, String error, Instant at) {
    return new ProbeReport(system, false, Optional.of(error), Map.of(), Map.of(), at);
  }
}
