package dev.pipekeeper.core.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a member acknowledges having applied: one record per member id and connection, shared by
 * that member's views (one per pipeline it runs there).
 *
 * @param member the member id
 * @param versions scope path → the version every view of the member holding that scope has applied
 * @param lastKnownGood {@code SCOPE KEY} of the keys for which it keeps a last good value over an
 *     invalid stored one, or one a binding cannot convert to its type
 * @param at when it last applied a change
 */
public record AppliedConfig(
    String member, Map<String, Integer> versions, List<String> lastKnownGood, Instant at) {
  public AppliedConfig {
    versions = Map.copyOf(versions);
    lastKnownGood = List.copyOf(lastKnownGood);
  }
}
