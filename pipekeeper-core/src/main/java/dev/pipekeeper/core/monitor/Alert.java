package dev.pipekeeper.core.monitor;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An alert as the monitor keeps it in {@code alerts/active/KEY} and records it in {@code
 * alerts/history}: one per rule and subject (member, group, partition, server, sink), deduplicated
 * by {@link #key()}.
 *
 * @param key what makes it one alert: the rule name and its subject, e.g. {@code
 *     member-down/enrichment/m3}
 * @param rule the rule's name
 * @param kind the rule's kind
 * @param severity the rule's severity
 * @param state where it is in its lifecycle
 * @param labels the subject: {@code group}, {@code member}, {@code role}, {@code partition}, {@code
 *     server}, {@code sink}, as the kind has them
 * @param summary one line for an operator: what is wrong, with the figure measured
 * @param pendingSince when the condition was first seen (this episode)
 * @param firedAt when it started FIRING, or null
 * @param resolvedAt when it RESOLVED, or null
 * @param clearingSince while FIRING: since when the condition has been gone, or null
 * @param fired how many times it fired within the monitor's flap window (1 on the first firing)
 * @param flapping whether it fires and resolves too often: notifications are held until it is
 *     steady for the flap window
 * @param notified per sink, the last state delivered to it (FIRING or RESOLVED)
 * @param epoch the monitor term that last wrote it
 * @param updatedAt when it was last written
 * @param resolution while RESOLVED: how it ended (null otherwise, and in records written before
 *     there was one)
 */
public record Alert(
    String key,
    String rule,
    RuleKind kind,
    Severity severity,
    AlertState state,
    Map<String, String> labels,
    String summary,
    Instant pendingSince,
    Instant firedAt,
    Instant resolvedAt,
    Instant clearingSince,
    int fired,
    boolean flapping,
    Map<String, AlertState> notified,
    long epoch,
    Instant updatedAt,
    Resolution resolution) {

  public Alert {
    Objects.requireNonNull(key, "key");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    notified = notified == null ? Map.of() : Map.copyOf(notified);
  }

  /** An alert without a {@link #resolution()} (one not RESOLVED, or resolved before there was). */
  public Alert(
      String key,
      String rule,
      RuleKind kind,
      Severity severity,
      AlertState state,
      Map<String, String> labels,
      String summary,
      Instant pendingSince,
      Instant firedAt,
      Instant resolvedAt,
      Instant clearingSince,
      int fired,
      boolean flapping,
      Map<String, AlertState> notified,
      long epoch,
      Instant updatedAt) {
    this(
        key,
        rule,
        kind,
        severity,
        state,
        labels,
        summary,
        pendingSince,
        firedAt,
        resolvedAt,
        clearingSince,
        fired,
        flapping,
        notified,
        epoch,
        updatedAt,
        null);
  }

  /** Whether it ended because its rule went away, not because its condition did. */
  public boolean ruleRemoved() {
    return state == AlertState.RESOLVED && resolution == Resolution.RULE_REMOVED;
  }
}
