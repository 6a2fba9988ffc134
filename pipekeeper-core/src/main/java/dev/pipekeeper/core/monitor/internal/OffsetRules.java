package dev.pipekeeper.core.monitor.internal;

import static dev.pipekeeper.core.internal.Durations.format;
import static dev.pipekeeper.core.monitor.internal.Conditions.covers;
import static dev.pipekeeper.core.monitor.internal.Conditions.key;
import static dev.pipekeeper.core.monitor.internal.Conditions.labels;

import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.monitor.PartitionOffsets;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The rules about consumer groups' offsets, which a {@link
 * dev.pipekeeper.core.monitor.MonitorProbe} reports: {@code consumer-lag}, {@code
 * consumer-stalled}, {@code consumer-rewinding} and {@code lag-time}. It keeps the groups' offsets
 * over the longest window the rules use (the trend kinds compare now with the window's start); a
 * monitor that takes over starts with an empty window, and the trend kinds say "unknown" (leaving
 * their alerts as they are) until it has seen a whole window.
 */
final class OffsetRules {
  private final Map<String, Deque<OffsetSample>> samples = new HashMap<>();

  /** The offsets of one consumer group at one evaluation. */
  private record OffsetSample(Instant at, Map<String, PartitionOffsets> partitions) {
    long lag() {
      return partitions.values().stream().mapToLong(PartitionOffsets::lag).sum();
    }
  }

  /**
   * What an offsets rule watches, as far as the samples go.
   *
   * @param group only this consumer group; every group if empty
   * @param window how far back it compares (zero for {@code lag-time}, which reads the last sample)
   */
  private record OffsetWatch(Optional<String> group, Duration window) {}

  /** How the rules of one offsets kind find their conditions in the samples. */
  @FunctionalInterface
  private interface OffsetCheck<W extends Rule.Watch> {
    RuleResult evaluate(OffsetRules offsets, Rule rule, W watch, MonitorInputs in);
  }

  /**
   * One kind of rule that needs the probes' offsets: its watch's type, what of the samples it
   * reads, and its check.
   */
  private record OffsetKind<W extends Rule.Watch>(
      RuleKind kind, Class<W> type, Function<W, OffsetWatch> watch, OffsetCheck<W> check) {

    Optional<OffsetWatch> of(Rule.Watch w) {
      return type.isInstance(w) ? Optional.of(watch.apply(type.cast(w))) : Optional.empty();
    }

    void addTo(RuleChecks checks, OffsetRules offsets) {
      checks.on(type, (rule, w, in, departed) -> check.evaluate(offsets, rule, w, in));
    }
  }

  /** The kinds that need the probes' offsets: the one list of them. */
  private static final List<OffsetKind<?>> KINDS =
      List.of(
          new OffsetKind<>(
              RuleKind.CONSUMER_LAG,
              Rule.ConsumerLag.class,
              l -> new OffsetWatch(l.group(), l.window()),
              OffsetRules::consumerLag),
          new OffsetKind<>(
              RuleKind.CONSUMER_STALLED,
              Rule.ConsumerStalled.class,
              s -> new OffsetWatch(s.group(), s.window()),
              (offsets, rule, s, in) -> offsets.trend(rule, s.group(), s.window(), in, true)),
          new OffsetKind<>(
              RuleKind.CONSUMER_REWINDING,
              Rule.ConsumerRewinding.class,
              r -> new OffsetWatch(r.group(), r.window()),
              (offsets, rule, r, in) -> offsets.trend(rule, r.group(), r.window(), in, false)),
          new OffsetKind<>(
              RuleKind.LAG_TIME,
              Rule.LagTime.class,
              t -> new OffsetWatch(t.group(), Duration.ZERO),
              OffsetRules::lagTime));

  private static Optional<OffsetWatch> of(Rule.Watch w) {
    for (OffsetKind<?> kind : KINDS) {
      Optional<OffsetWatch> found = kind.of(w);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  void addTo(RuleChecks checks) {
    for (OffsetKind<?> kind : KINDS) {
      kind.addTo(checks, this);
    }
  }

  static boolean needsOffsets(RuleKind kind) {
    return KINDS.stream().anyMatch(k -> k.kind() == kind);
  }

  /** The consumer groups whose offsets {@code rules} need, of those {@code known}. */
  static Set<String> offsetGroups(List<Rule> rules, Set<String> known) {
    Set<String> groups = new TreeSet<>();
    for (Rule r : rules) {
      of(r.watch())
          .ifPresent(
              w -> {
                if (w.group().isPresent()) {
                  groups.add(w.group().get());
                } else {
                  groups.addAll(known);
                }
              });
    }
    return groups;
  }

  /** Every group the rule covers that has offsets from a probe, or else lag in health records. */
  private RuleResult consumerLag(Rule rule, Rule.ConsumerLag watch, MonitorInputs in) {
    double threshold = watch.threshold();
    List<Condition> found = new ArrayList<>();
    Map<String, Long> lags = new TreeMap<>();
    if (in.probes().isEmpty()) {
      in.health()
          .forEach(
              (group, reports) -> {
                if (covers(watch.group(), group)) {
                  lags.put(
                      group, reports.values().stream().mapToLong(HealthReport::totalLag).sum());
                }
              });
    } else {
      samples.forEach(
          (group, deque) -> {
            if (covers(watch.group(), group)
                && !deque.isEmpty()
                && deque.peekLast().at().equals(in.now())) {
              lags.put(group, deque.peekLast().lag());
            }
          });
    }
    lags.forEach(
        (group, lag) -> {
          if (lag <= threshold) {
            return;
          }
          Optional<Long> before =
              windowStart(group, watch.window(), in.now()).map(OffsetSample::lag);
          if (before.isPresent() && lag < before.get()) {
            return; // above the threshold, but catching up
          }
          found.add(
              new Condition(
                  key(rule, group),
                  labels("group", group),
                  "consumer group "
                      + group
                      + " is "
                      + lag
                      + " records behind (threshold "
                      + (long) threshold
                      + before
                          .map(b -> ", " + signed(lag - b) + " over " + format(watch.window()))
                          .orElse("")
                      + ")"));
        });
    return RuleResult.of(rule, found);
  }

  /** Stalled (committed offsets still, lag grown) or rewinding (a committed offset went back). */
  private RuleResult trend(
      Rule rule, Optional<String> only, Duration window, MonitorInputs in, boolean stalled) {
    if (in.probes().isEmpty()) {
      return RuleResult.unknown(rule);
    }
    List<Condition> found = new ArrayList<>();
    Set<String> unknown = new HashSet<>();
    samples.forEach(
        (group, deque) -> {
          if (!covers(only, group) || deque.isEmpty() || !deque.peekLast().at().equals(in.now())) {
            return;
          }
          Optional<OffsetSample> start = windowStart(group, window, in.now());
          if (start.isEmpty()) {
            unknown.add(key(rule, group)); // not a whole window seen yet
            return;
          }
          OffsetSample last = deque.peekLast();
          if (stalled) {
            stalledCondition(rule, window, group, start.get(), last).ifPresent(found::add);
          } else {
            rewindCondition(rule, window, group, deque, start.get()).ifPresent(found::add);
          }
        });
    return new RuleResult(rule, true, found, unknown);
  }

  private static Optional<Condition> stalledCondition(
      Rule rule, Duration window, String group, OffsetSample start, OffsetSample last) {
    long lag = last.lag();
    if (lag == 0 || lag <= start.lag()) {
      return Optional.empty();
    }
    for (Map.Entry<String, PartitionOffsets> p : last.partitions().entrySet()) {
      PartitionOffsets before = start.partitions().get(p.getKey());
      if (p.getValue().lag() > 0
          && (before == null || before.committed() != p.getValue().committed())) {
        return Optional.empty(); // this partition moves: the group consumes
      }
    }
    return Optional.of(
        new Condition(
            key(rule, group),
            labels("group", group),
            "consumer group "
                + group
                + " is stalled: committed offsets have not moved for "
                + format(window)
                + " while its lag grew from "
                + start.lag()
                + " to "
                + lag));
  }

  private static Optional<Condition> rewindCondition(
      Rule rule, Duration window, String group, Deque<OffsetSample> deque, OffsetSample start) {
    Map<String, Long> highest = new HashMap<>();
    List<String> rewound = new ArrayList<>();
    for (OffsetSample s : deque) {
      if (s.at().isBefore(start.at())) {
        continue;
      }
      s.partitions()
          .forEach(
              (partition, offsets) -> {
                Long high = highest.get(partition);
                if (high != null && offsets.committed() < high && !rewound.contains(partition)) {
                  rewound.add(partition + " " + high + "->" + offsets.committed());
                }
                highest.merge(partition, offsets.committed(), Math::max);
              });
    }
    if (rewound.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Condition(
            key(rule, group),
            labels("group", group),
            "consumer group "
                + group
                + " rewound its committed offsets within "
                + format(window)
                + ": "
                + String.join(", ", rewound)));
  }

  private RuleResult lagTime(Rule rule, Rule.LagTime watch, MonitorInputs in) {
    if (in.probes().isEmpty()) {
      return RuleResult.unknown(rule);
    }
    Duration limit = watch.after();
    List<Condition> found = new ArrayList<>();
    samples.forEach(
        (group, deque) -> {
          if (!covers(watch.group(), group)
              || deque.isEmpty()
              || !deque.peekLast().at().equals(in.now())) {
            return;
          }
          Instant oldest = null;
          String where = null;
          for (Map.Entry<String, PartitionOffsets> p : deque.peekLast().partitions().entrySet()) {
            Optional<Instant> t = p.getValue().oldestUnconsumed();
            if (p.getValue().lag() > 0
                && t.isPresent()
                && (oldest == null || t.get().isBefore(oldest))) {
              oldest = t.get();
              where = p.getKey();
            }
          }
          if (oldest != null && Duration.between(oldest, in.now()).compareTo(limit) > 0) {
            found.add(
                new Condition(
                    key(rule, group),
                    labels("group", group),
                    "consumer group "
                        + group
                        + " has not consumed a record written "
                        + Duration.between(oldest, in.now()).toSeconds()
                        + " s ago (on "
                        + where
                        + "; limit "
                        + format(limit)
                        + ")"));
          }
        });
    return RuleResult.of(rule, found);
  }

  /** Adds this evaluation's offsets to the windows and forgets what is older than any needs. */
  void remember(List<Rule> rules, MonitorInputs in) {
    Duration keep = Duration.ZERO;
    for (Rule r : rules) {
      Optional<Duration> window = of(r.watch()).map(OffsetWatch::window);
      if (window.isPresent() && window.get().compareTo(keep) > 0) {
        keep = window.get();
      }
    }
    Map<String, Map<String, PartitionOffsets>> now = new HashMap<>();
    for (ProbeReport report : in.probes().values()) {
      if (report.reachable()) {
        now.putAll(report.offsets());
      }
    }
    for (Map.Entry<String, Map<String, PartitionOffsets>> e : now.entrySet()) {
      samples
          .computeIfAbsent(e.getKey(), g -> new ArrayDeque<>())
          .addLast(new OffsetSample(in.now(), Map.copyOf(e.getValue())));
    }
    Instant horizon = in.now().minus(keep);
    samples
        .values()
        .forEach(
            deque -> {
              // keep the newest sample at or before the horizon: it is the window's start
              while (deque.size() > 1 && !second(deque).at().isAfter(horizon)) {
                deque.removeFirst();
              }
            });
    samples.values().removeIf(d -> d.isEmpty() || d.peekLast().at().isBefore(horizon));
  }

  private static OffsetSample second(Deque<OffsetSample> deque) {
    Iterator<OffsetSample> it = deque.iterator();
    it.next();
    return it.next();
  }

  /** The sample at the start of the window ending now, if the window has been seen whole. */
  private Optional<OffsetSample> windowStart(String group, Duration window, Instant now) {
    Deque<OffsetSample> deque = samples.get(group);
    if (deque == null) {
      return Optional.empty();
    }
    Instant start = now.minus(window);
    OffsetSample found = null;
    for (OffsetSample s : deque) {
      if (!s.at().isAfter(start)) {
        found = s;
      }
    }
    return Optional.ofNullable(found);
  }

  private static String signed(long n) {
    return n >= 0 ? "+" + n : Long.toString(n);
  }
}
