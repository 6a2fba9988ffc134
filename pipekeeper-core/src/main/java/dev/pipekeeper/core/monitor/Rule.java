package dev.pipekeeper.core.monitor;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One alerting rule, as stored in the configuration key {@value Rules#KEY} (see {@link Rules} for
 * the JSON form and which settings each kind takes).
 *
 * @param name unique among the rules; the first part of its alerts' keys
 * @param kind what it watches
 * @param severity of its alerts
 * @param forDuration how long the condition must hold before the alert fires ({@code for})
 * @param keepFiringFor how long the condition must be gone before a firing alert resolves
 * @param group only this group (pipeline, consumer group); every group if empty
 * @param role only this role ({@code no-leader}); every role that had a leader if empty
 * @param threshold the number the kind compares with (lag in records, errors per second)
 * @param window the sliding window of the lag trend kinds
 * @param after the age the kind compares with ({@code lag-time}, {@code no-progress})
 * @param min the fewest members ({@code group-size})
 * @param maxOutstanding the most outstanding requests per ZooKeeper server ({@code zookeeper})
 * @param maxLatency the highest average request latency per ZooKeeper server ({@code zookeeper})
 */
public record Rule(
    String name,
    RuleKind kind,
    Severity severity,
    Duration forDuration,
    Duration keepFiringFor,
    Optional<String> group,
    Optional<String> role,
    Optional<Double> threshold,
    Duration window,
    Optional<Duration> after,
    Optional<Integer> min,
    Optional<Integer> maxOutstanding,
    Optional<Duration> maxLatency) {

  /** The window of the trend kinds when a rule sets none. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    severity = severity == null ? Severity.WARNING : severity;
    forDuration = forDuration == null ? Duration.ZERO : forDuration;
    keepFiringFor = keepFiringFor == null ? Duration.ZERO : keepFiringFor;
    group = group == null ? Optional.empty() : group;
    role = role == null ? Optional.empty() : role;
    threshold = threshold == null ? Optional.empty() : threshold;
    window = window == null ? DEFAULT_WINDOW : window;
    after = after == null ? Optional.empty() : after;
    min = min == null ? Optional.empty() : min;
    maxOutstanding = maxOutstanding == null ? Optional.empty() : maxOutstanding;
    maxLatency = maxLatency == null ? Optional.empty() : maxLatency;
  }

  /** A rule of {@code kind} named {@code name} with every other setting at its default. */
  public static Rule of(String name, RuleKind kind) {
    return new Rule(name, kind, null, null, null, null, null, null, null, null, null, null, null);
  }

  public Rule withSeverity(Severity s) {
    return new Rule(
        name,
        kind,
        s,
        forDuration,
        keepFiringFor,
        group,
        role,
        threshold,
        window,
        after,
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withFor(Duration d) {
    return new Rule(
        name,
        kind,
        severity,
        d,
        keepFiringFor,
        group,
        role,
        threshold,
        window,
        after,
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withKeepFiringFor(Duration d) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        d,
        group,
        role,
        threshold,
        window,
        after,
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withGroup(String g) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        Optional.of(g),
        role,
        threshold,
        window,
        after,
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withRole(String r) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        group,
        Optional.of(r),
        threshold,
        window,
        after,
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withThreshold(double t) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        group,
        role,
        Optional.of(t),
        window,
        after,
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withWindow(Duration w) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        group,
        role,
        threshold,
        w,
        after,
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withAfter(Duration a) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        group,
        role,
        threshold,
        window,
        Optional.of(a),
        min,
        maxOutstanding,
        maxLatency);
  }

  public Rule withMin(int m) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        group,
        role,
        threshold,
        window,
        after,
        Optional.of(m),
        maxOutstanding,
        maxLatency);
  }

  public Rule withMaxOutstanding(int m) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        group,
        role,
        threshold,
        window,
        after,
        min,
        Optional.of(m),
        maxLatency);
  }

  public Rule withMaxLatency(Duration l) {
    return new Rule(
        name,
        kind,
        severity,
        forDuration,
        keepFiringFor,
        group,
        role,
        threshold,
        window,
        after,
        min,
        maxOutstanding,
        Optional.of(l));
  }

  /** Whether the rule covers {@code g}: it names no group, or this one. */
  public boolean covers(String g) {
    return group.isEmpty() || group.get().equals(g);
  }
}
