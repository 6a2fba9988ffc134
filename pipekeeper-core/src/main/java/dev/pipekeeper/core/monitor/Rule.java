package dev.pipekeeper.core.monitor;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One alerting rule, as stored in the configuration key {@value Rules#KEY} (see {@link Rules} for
 * the JSON form): what every rule has (its name, severity and timing) and what it watches, a {@link
 * Watch} of one kind holding only that kind's settings.
 *
 * <pre>{@code
 * Rule lag = Rule.of("orders-lag", new Rule.ConsumerLag(1000).withGroup("enrichment"))
 *     .withFor(Duration.ofSeconds(30))
 *     .withSeverity(Severity.CRITICAL);
 * }</pre>
 *
 * @param name unique among the rules; the first part of its alerts' keys
 * @param severity of its alerts
 * @param forDuration how long the condition must hold before the alert fires ({@code for})
 * @param keepFiringFor how long the condition must be gone before a firing alert resolves
 * @param watch what it watches, with its kind's settings
 */
public record Rule(
    String name, Severity severity, Duration forDuration, Duration keepFiringFor, Watch watch) {

  /** The window of the trend kinds when a rule sets none. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(watch, "watch");
    severity = severity == null ? Severity.WARNING : severity;
    forDuration = forDuration == null ? Duration.ZERO : forDuration;
    keepFiringFor = keepFiringFor == null ? Duration.ZERO : keepFiringFor;
  }

  /** A rule named {@code name} watching {@code watch}, of severity warning, {@code for} 0s. */
  public static Rule of(String name, Watch watch) {
    return new Rule(name, null, null, null, watch);
  }

  /** What the rule watches. */
  public RuleKind kind() {
    return watch.kind();
  }

  public Rule withSeverity(Severity s) {
    return new Rule(name, s, forDuration, keepFiringFor, watch);
  }

  public Rule withFor(Duration d) {
    return new Rule(name, severity, d, keepFiringFor, watch);
  }

  public Rule withKeepFiringFor(Duration d) {
    return new Rule(name, severity, forDuration, d, watch);
  }

  /**
   * What a rule watches: one record per {@link RuleKind}, with only the settings of that kind. A
   * {@code group} narrows a rule to one group (pipeline, consumer group); empty, it covers every
   * group.
   */
  public sealed interface Watch
      permits MemberDown,
          GroupSize,
          NoLeader,
          ConsumerLag,
          ConsumerStalled,
          ConsumerRewinding,
          LagTime,
          ErrorRate,
          NoProgress,
          ConfigDrift,
          Zookeeper,
          Kafka,
          Delivery,
          UnassignedUnits {
    RuleKind kind();
  }

  /** {@link RuleKind#MEMBER_DOWN}. */
  public record MemberDown(Optional<String> group) implements Watch {
    public MemberDown {
      group = orEmpty(group);
    }

    public MemberDown() {
      this(Optional.empty());
    }

    public MemberDown withGroup(String g) {
      return new MemberDown(Optional.of(g));
    }

    @Override
    public RuleKind kind() {
      return RuleKind.MEMBER_DOWN;
    }
  }

  /**
   * {@link RuleKind#GROUP_SIZE}.
   *
   * @param min the fewest members
   */
  public record GroupSize(String group, int min) implements Watch {
    public GroupSize {
      Objects.requireNonNull(group, "group");
    }

    @Override
    public RuleKind kind() {
      return RuleKind.GROUP_SIZE;
    }
  }

  /**
   * {@link RuleKind#NO_LEADER}.
   *
   * @param role only this role; every role that had a leader if empty
   */
  public record NoLeader(Optional<String> role) implements Watch {
    public NoLeader {
      role = orEmpty(role);
    }

    public NoLeader() {
      this(Optional.empty());
    }

    public NoLeader withRole(String r) {
      return new NoLeader(Optional.of(r));
    }

    @Override
    public RuleKind kind() {
      return RuleKind.NO_LEADER;
    }
  }

  /**
   * {@link RuleKind#CONSUMER_LAG}.
   *
   * @param threshold the lag in records above which it fires
   * @param window the sliding window over which the lag must not shrink
   */
  public record ConsumerLag(Optional<String> group, double threshold, Duration window)
      implements Watch {
    public ConsumerLag {
      group = orEmpty(group);
      window = window == null ? DEFAULT_WINDOW : window;
    }

    public ConsumerLag(double threshold) {
      this(Optional.empty(), threshold, DEFAULT_WINDOW);
    }

    public ConsumerLag withGroup(String g) {
      return new ConsumerLag(Optional.of(g), threshold, window);
    }

    public ConsumerLag withWindow(Duration w) {
      return new ConsumerLag(group, threshold, w);
    }

    @Override
    public RuleKind kind() {
      return RuleKind.CONSUMER_LAG;
    }
  }

  /**
   * {@link RuleKind#CONSUMER_STALLED}.
   *
   * @param window the sliding window over which the committed offsets did not move
   */
  public record ConsumerStalled(Optional<String> group, Duration window) implements Watch {
    public ConsumerStalled {
      group = orEmpty(group);
      window = window == null ? DEFAULT_WINDOW : window;
    }

    public ConsumerStalled() {
      this(Optional.empty(), DEFAULT_WINDOW);
    }

    public ConsumerStalled withGroup(String g) {
      return new ConsumerStalled(Optional.of(g), window);
    }

    public ConsumerStalled withWindow(Duration w) {
      return new ConsumerStalled(group, w);
    }

    @Override
    public RuleKind kind() {
      return RuleKind.CONSUMER_STALLED;
    }
  }

  /**
   * {@link RuleKind#CONSUMER_REWINDING}.
   *
   * @param window the sliding window within which a committed offset went back
   */
  public record ConsumerRewinding(Optional<String> group, Duration window) implements Watch {
    public ConsumerRewinding {
      group = orEmpty(group);
      window = window == null ? DEFAULT_WINDOW : window;
    }

    public ConsumerRewinding() {
      this(Optional.empty(), DEFAULT_WINDOW);
    }

    public ConsumerRewinding withGroup(String g) {
      return new ConsumerRewinding(Optional.of(g), window);
    }

    public ConsumerRewinding withWindow(Duration w) {
      return new ConsumerRewinding(group, w);
    }

    @Override
    public RuleKind kind() {
      return RuleKind.CONSUMER_REWINDING;
    }
  }

  /**
   * {@link RuleKind#LAG_TIME}.
   *
   * @param after the age of the oldest unconsumed record above which it fires
   */
  public record LagTime(Optional<String> group, Duration after) implements Watch {
    public LagTime {
      group = orEmpty(group);
      Objects.requireNonNull(after, "after");
    }

    public LagTime(Duration after) {
      this(Optional.empty(), after);
    }

    public LagTime withGroup(String g) {
      return new LagTime(Optional.of(g), after);
    }

    @Override
    public RuleKind kind() {
      return RuleKind.LAG_TIME;
    }
  }

  /**
   * {@link RuleKind#ERROR_RATE}.
   *
   * @param threshold the errors per second above which it fires
   */
  public record ErrorRate(Optional<String> group, double threshold) implements Watch {
    public ErrorRate {
      group = orEmpty(group);
    }

    public ErrorRate(double threshold) {
      this(Optional.empty(), threshold);
    }

    public ErrorRate withGroup(String g) {
      return new ErrorRate(Optional.of(g), threshold);
    }

    @Override
    public RuleKind kind() {
      return RuleKind.ERROR_RATE;
    }
  }

  /**
   * {@link RuleKind#NO_PROGRESS}.
   *
   * @param after how long a member with lag may process nothing
   */
  public record NoProgress(Optional<String> group, Duration after) implements Watch {
    public NoProgress {
      group = orEmpty(group);
      Objects.requireNonNull(after, "after");
    }

    public NoProgress(Duration after) {
      this(Optional.empty(), after);
    }

    public NoProgress withGroup(String g) {
      return new NoProgress(Optional.of(g), after);
    }

    @Override
    public RuleKind kind() {
      return RuleKind.NO_PROGRESS;
    }
  }

  /** {@link RuleKind#CONFIG_DRIFT}. */
  public record ConfigDrift(Optional<String> group) implements Watch {
    public ConfigDrift {
      group = orEmpty(group);
    }

    public ConfigDrift() {
      this(Optional.empty());
    }

    public ConfigDrift withGroup(String g) {
      return new ConfigDrift(Optional.of(g));
    }

    @Override
    public RuleKind kind() {
      return RuleKind.CONFIG_DRIFT;
    }
  }

  /**
   * {@link RuleKind#ZOOKEEPER}.
   *
   * @param maxOutstanding the most outstanding requests per server; no limit if empty
   * @param maxLatency the highest average request latency per server; no limit if empty
   */
  public record Zookeeper(Optional<Integer> maxOutstanding, Optional<Duration> maxLatency)
      implements Watch {
    public Zookeeper {
      maxOutstanding = orEmpty(maxOutstanding);
      maxLatency = orEmpty(maxLatency);
    }

    public Zookeeper() {
      this(Optional.empty(), Optional.empty());
    }

    public Zookeeper withMaxOutstanding(int m) {
      return new Zookeeper(Optional.of(m), maxLatency);
    }

    public Zookeeper withMaxLatency(Duration l) {
      return new Zookeeper(maxOutstanding, Optional.of(l));
    }

    @Override
    public RuleKind kind() {
      return RuleKind.ZOOKEEPER;
    }
  }

  /**
   * {@link RuleKind#KAFKA}: the {@link MonitorProbe} whose {@link MonitorProbe#system() system} is
   * {@value #PROBE} answers.
   */
  public record Kafka() implements Watch {
    /**
     * The system name of the probe this kind watches (pipekeeper-kafka's {@code KafkaProbe} is
     * named so).
     */
    public static final String PROBE = "kafka";

    @Override
    public RuleKind kind() {
      return RuleKind.KAFKA;
    }
  }

  /** {@link RuleKind#DELIVERY}. */
  public record Delivery() implements Watch {
    @Override
    public RuleKind kind() {
      return RuleKind.DELIVERY;
    }
  }

  /** {@link RuleKind#UNASSIGNED_UNITS}. */
  public record UnassignedUnits(Optional<String> group) implements Watch {
    public UnassignedUnits {
      group = orEmpty(group);
    }

    public UnassignedUnits() {
      this(Optional.empty());
    }

    public UnassignedUnits withGroup(String g) {
      return new UnassignedUnits(Optional.of(g));
    }

    @Override
    public RuleKind kind() {
      return RuleKind.UNASSIGNED_UNITS;
    }
  }

  private static <T> Optional<T> orEmpty(Optional<T> value) {
    return value == null ? Optional.empty() : value;
  }
}
