package dev.pipekeeper.core.monitor;

import java.time.Instant;
import java.util.Map;

/**
 * The sinks' tests' alert: member m3 of enrichment down, pending, fired and resolved at fixed
 * times.
 */
final class SampleAlerts {
  static final Instant PENDING = Instant.parse("2030-01-01T10:00:00Z");
  static final Instant FIRED = Instant.parse("2030-01-01T10:00:03Z");
  static final Instant RESOLVED = Instant.parse("2030-01-01T10:05:00Z");

  private SampleAlerts() {}

  /** {@code member-down/enrichment/m3} in {@code state} (resolved at {@link #RESOLVED} if so). */
  static Alert memberDown(AlertState state) {
    return new Alert(
        "member-down/enrichment/m3",
        "member-down",
        RuleKind.MEMBER_DOWN,
        Severity.CRITICAL,
        state,
        Map.of("group", "enrichment", "member", "m3"),
        "member m3 of enrichment left without draining",
        PENDING,
        FIRED,
        state == AlertState.RESOLVED ? RESOLVED : null,
        null,
        1,
        false,
        Map.of(),
        7,
        FIRED);
  }

  /** {@code member-down/enrichment/m3} resolved at {@link #RESOLVED} as {@code resolution}. */
  static Alert memberDownEnded(Resolution resolution) {
    Alert a = memberDown(AlertState.RESOLVED);
    return new Alert(
        a.key(),
        a.rule(),
        a.kind(),
        a.severity(),
        a.state(),
        a.labels(),
        a.summary(),
        a.pendingSince(),
        a.firedAt(),
        a.resolvedAt(),
        a.clearingSince(),
        a.fired(),
        a.flapping(),
        a.notified(),
        a.epoch(),
        a.updatedAt(),
        resolution);
  }
}
