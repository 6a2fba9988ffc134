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
    return edit(f -> f.severity = s);
  }

  public Rule withFor(Duration d) {
    return edit(f -> f.forDuration = d);
  }

  public Rule withKeepFiringFor(Duration d) {
    return edit(f -> f.keepFiringFor = d);
  }

  public Rule withGroup(String g) {
    return edit(f -> f.group = Optional.of(g));
  }

  public Rule withRole(String r) {
    return edit(f -> f.role = Optional.of(r));
  }

  public Rule withThreshold(double t) {
    return edit(f -> f.threshold = Optional.of(t));
  }

  public Rule withWindow(Duration w) {
    return edit(f -> f.window = w);
  }

  public Rule withAfter(Duration a) {
    return edit(f -> f.after = Optional.of(a));
  }

  public Rule withMin(int m) {
    return edit(f -> f.min = Optional.of(m));
  }

  public Rule withMaxOutstanding(int m) {
    return edit(f -> f.maxOutstanding = Optional.of(m));
  }

  public Rule withMaxLatency(Duration l) {
    return edit(f -> f.maxLatency = Optional.of(l));
  }

  /** A copy with {@code change} made to its settings: the one place the withers copy a rule. */
  private Rule edit(java.util.function.Consumer<Settings> change) {
    Settings f = new Settings(this);
    change.accept(f);
    return new Rule(
        name,
        kind,
        f.severity,
        f.forDuration,
        f.keepFiringFor,
        f.group,
        f.role,
        f.threshold,
        f.window,
        f.after,
        f.min,
        f.maxOutstanding,
        f.maxLatency);
  }

  /** A rule's settings, to change one of them. */
  private static final class Settings {
    Severity severity;
    Duration forDuration;
    Duration keepFiringFor;
    Optional<String> group;
    Optional<String> role;
    Optional<Double> threshold;
    Duration window;
    Optional<Duration> after;
    Optional<Integer> min;
    Optional<Integer> maxOutstanding;
    Optional<Duration> maxLatency;

    Settings(Rule r) {
      severity = r.severity;
      forDuration = r.forDuration;
      keepFiringFor = r.keepFiringFor;
      group = r.group;
      role = r.role;
      threshold = r.threshold;
      window = r.window;
      after = r.after;
      min = r.min;
      maxOutstanding = r.maxOutstanding;
      maxLatency = r.maxLatency;
    }
  }

  /** Whether the rule covers {@code g}: it names no group, or this one. */
  public boolean covers(String g) {
    return group.isEmpty() || group.get().equals(g);
  }
}
