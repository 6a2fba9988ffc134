package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.ensemble.ServerStatus;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.monitor.PartitionOffsets;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.SinkStatus;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns one evaluation's inputs into each rule's conditions. It keeps the consumer groups' offsets
 * over the longest window the rules use (the trend kinds compare now with the window's start); a
 * monitor that takes over starts with an empty window, and the trend kinds say "unknown" (leaving
 * their alerts as they are) until it has seen a whole window.
 */
final class RuleEvaluator {
  private final Map<String, Deque<OffsetSample>> samples = new HashMap<>();

  /** The offsets of one consumer group at one evaluation. */
  private record OffsetSample(Instant at, Map<String, PartitionOffsets> partitions) {
    long lag() {
      return partitions.values().stream().mapToLong(PartitionOffsets::lag).sum();
    }
  }

  /** The consumer groups whose offsets {@code rules} need, of those {@code inputs} know. */
  static Set<String> offsetGroups(List<Rule> rules, Set<String> known) {
    Set<String> groups = new TreeSet<>();
    for (Rule r : rules) {
      if (needsOffsets(r.kind())) {
        if (r.group().isPresent()) {
          groups.add(r.group().get());
        } else {
          groups.addAll(known);
        }
      }
    }
    return groups;
  }

  static boolean needsOffsets(RuleKind kind) {
    return switch (kind) {
      case CONSUMER_LAG, CONSUMER_STALLED, CONSUMER_REWINDING, LAG_TIME -> true;
      default -> false;
    };
  }

  List<RuleResult> evaluate(
      List<Rule> rules, MonitorInputs in, Map<String, Map<String, Rosters.Departure>> departed) {
    remember(rules, in);
    List<RuleResult> results = new ArrayList<>();
    for (Rule rule : rules) {
      results.add(evaluate(rule, in, departed));
    }
    return results;
  }

  private RuleResult evaluate(
      Rule rule, MonitorInputs in, Map<String, Map<String, Rosters.Departure>> departed) {
    return switch (rule.kind()) {
      case MEMBER_DOWN -> memberDown(rule, in, departed);
      case GROUP_SIZE -> groupSize(rule, in);
      case NO_LEADER -> noLeader(rule, in);
      case CONSUMER_LAG -> consumerLag(rule, in);
      case CONSUMER_STALLED -> trend(rule, in, true);
      case CONSUMER_REWINDING -> trend(rule, in, false);
      case LAG_TIME -> lagTime(rule, in);
      case ERROR_RATE -> perMember(rule, in, (r, m) -> errorRate(rule, r));
      case NO_PROGRESS -> perMember(rule, in, (r, m) -> noProgress(rule, r, m, in.now()));
      case CONFIG_DRIFT -> configDrift(rule, in);
      case ZOOKEEPER -> zookeeper(rule, in);
      case KAFKA -> kafka(rule, in);
      case DELIVERY -> delivery(rule, in);
      case UNASSIGNED_UNITS -> unassignedUnits(rule, in);
    };
  }

  private static String key(Rule rule, String... parts) {
    return rule.name() + "/" + String.join("/", parts);
  }

  private static Map<String, String> labels(String... pairs) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      labels.put(pairs[i], pairs[i + 1]);
    }
    return labels;
  }

  private static RuleResult memberDown(
      Rule rule, MonitorInputs in, Map<String, Map<String, Rosters.Departure>> departed) {
    List<Condition> found = new ArrayList<>();
    departed.forEach(
        (group, members) -> {
          if (rule.covers(group)) {
            members.forEach(
                (id, d) ->
                    found.add(
                        new Condition(
                            key(rule, group, id),
                            labels("group", group, "member", id),
                            "member "
                                + id
                                + " of "
                                + group
                                + " left without draining (was "
                                + d.lastState()
                                + ", "
                                + in.members().getOrDefault(group, Map.of()).size()
                                + " of "
                                + d.groupSize()
                                + " members left)")));
          }
        });
    return RuleResult.of(rule, found);
  }

  private static RuleResult groupSize(Rule rule, MonitorInputs in) {
    String group = rule.group().orElseThrow();
    int size = in.members().getOrDefault(group, Map.of()).size();
    int min = rule.min().orElseThrow();
    if (size >= min) {
      return RuleResult.of(rule, List.of());
    }
    return RuleResult.of(
        rule,
        List.of(
            new Condition(
                key(rule, group),
                labels("group", group),
                "group "
                    + group
                    + " has "
                    + size
                    + (size == 1 ? " member" : " members")
                    + ", fewer than "
                    + min)));
  }

  private static RuleResult noLeader(Rule rule, MonitorInputs in) {
    List<Condition> found = new ArrayList<>();
    in.roles()
        .forEach(
            (role, state) -> {
              // a role retired on purpose has no leader by design; a rule naming it still asks
              boolean covered =
                  rule.role().map(role::equals).orElse(state.epoch() > 0 && !state.retired());
              if (covered && state.contenders() == 0) {
                found.add(
                    new Condition(
                        key(rule, role),
                        labels("role", role),
                        "role "
                            + role
                            + " has no leader"
                            + (state.epoch() > 0 ? " (last epoch " + state.epoch() + ")" : "")));
              }
            });
    if (rule.role().isPresent() && !in.roles().containsKey(rule.role().get())) {
      String role = rule.role().get();
      found.add(
          new Condition(
              key(rule, role), labels("role", role), "role " + role + " has never had a leader"));
    }
    return RuleResult.of(rule, found);
  }

  /** Every group the rule covers that has offsets from a probe, or else lag in health records. */
  private RuleResult consumerLag(Rule rule, MonitorInputs in) {
    double threshold = rule.threshold().orElseThrow();
    List<Condition> found = new ArrayList<>();
    Map<String, Long> lags = new TreeMap<>();
    if (in.probes().isEmpty()) {
      in.health()
          .forEach(
              (group, reports) -> {
                if (rule.covers(group)) {
                  lags.put(
                      group, reports.values().stream().mapToLong(HealthReport::totalLag).sum());
                }
              });
    } else {
      samples.forEach(
          (group, deque) -> {
            if (rule.covers(group) && !deque.isEmpty() && deque.peekLast().at().equals(in.now())) {
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
              windowStart(group, rule.window(), in.now()).map(OffsetSample::lag);
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
                      + before.map(b -> ", " + signed(lag - b) + " over " + window(rule)).orElse("")
                      + ")"));
        });
    return RuleResult.of(rule, found);
  }

  /** Stalled (committed offsets still, lag grown) or rewinding (a committed offset went back). */
  private RuleResult trend(Rule rule, MonitorInputs in, boolean stalled) {
    if (in.probes().isEmpty()) {
      return RuleResult.unknown(rule);
    }
    List<Condition> found = new ArrayList<>();
    Set<String> unknown = new HashSet<>();
    samples.forEach(
        (group, deque) -> {
          if (!rule.covers(group) || deque.isEmpty() || !deque.peekLast().at().equals(in.now())) {
            return;
          }
          Optional<OffsetSample> start = windowStart(group, rule.window(), in.now());
          if (start.isEmpty()) {
            unknown.add(key(rule, group)); // not a whole window seen yet
            return;
          }
          OffsetSample last = deque.peekLast();
          if (stalled) {
            stalledCondition(rule, group, start.get(), last).ifPresent(found::add);
          } else {
            rewindCondition(rule, group, deque, start.get()).ifPresent(found::add);
          }
        });
    return new RuleResult(rule, true, found, unknown);
  }

  private Optional<Condition> stalledCondition(
      Rule rule, String group, OffsetSample start, OffsetSample last) {
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
                + window(rule)
                + " while its lag grew from "
                + start.lag()
                + " to "
                + lag));
  }

  private static Optional<Condition> rewindCondition(
      Rule rule, String group, Deque<OffsetSample> deque, OffsetSample start) {
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
                + window(rule)
                + ": "
                + String.join(", ", rewound)));
  }

  private RuleResult lagTime(Rule rule, MonitorInputs in) {
    if (in.probes().isEmpty()) {
      return RuleResult.unknown(rule);
    }
    Duration limit = rule.after().orElseThrow();
    List<Condition> found = new ArrayList<>();
    samples.forEach(
        (group, deque) -> {
          if (!rule.covers(group) || deque.isEmpty() || !deque.peekLast().at().equals(in.now())) {
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
                        + dev.pipekeeper.core.internal.Durations.format(limit)
                        + ")"));
          }
        });
    return RuleResult.of(rule, found);
  }

  @FunctionalInterface
  private interface MemberCheck {
    Optional<String> check(HealthReport report, MemberRecord member);
  }

  private static RuleResult perMember(Rule rule, MonitorInputs in, MemberCheck check) {
    List<Condition> found = new ArrayList<>();
    in.health()
        .forEach(
            (group, reports) -> {
              if (!rule.covers(group)) {
                return;
              }
              reports.forEach(
                  (id, report) ->
                      check
                          .check(report, in.members().getOrDefault(group, Map.of()).get(id))
                          .ifPresent(
                              summary ->
                                  found.add(
                                      new Condition(
                                          key(rule, group, id),
                                          labels("group", group, "member", id),
                                          summary))));
            });
    return RuleResult.of(rule, found);
  }

  private static Optional<String> errorRate(Rule rule, HealthReport r) {
    double threshold = rule.threshold().orElseThrow();
    if (r.errorsPerSecond() <= threshold) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "member %s of %s has %.2f errors/s (threshold %s; %d in all)",
            r.member(), r.group(), r.errorsPerSecond(), trim(threshold), r.errors()));
  }

  private static Optional<String> noProgress(
      Rule rule, HealthReport r, MemberRecord member, Instant now) {
    if (r.totalLag() <= 0) {
      return Optional.empty();
    }
    Instant since =
        r.lastProgress() != null ? r.lastProgress() : member != null ? member.startedAt() : null;
    Duration limit = rule.after().orElseThrow();
    if (since == null || Duration.between(since, now).compareTo(limit) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        "member "
            + r.member()
            + " of "
            + r.group()
            + " ("
            + r.state()
            + ") processed nothing for "
            + Duration.between(since, now).toSeconds()
            + " s with "
            + r.totalLag()
            + " records pending");
  }

  private static RuleResult configDrift(Rule rule, MonitorInputs in) {
    Map<String, String> groupOf = new HashMap<>();
    in.members()
        .forEach((group, members) -> members.keySet().forEach(id -> groupOf.put(id, group)));
    List<Condition> found = new ArrayList<>();
    in.applied()
        .forEach(
            (member, applied) -> {
              String group = groupOf.get(member);
              if (rule.group().isPresent() && !rule.group().get().equals(group)) {
                return;
              }
              List<String> behind = new ArrayList<>();
              applied
                  .versions()
                  .forEach(
                      (scope, version) -> {
                        Integer current = in.scopeVersions().get(scope);
                        if (current != null && version < current) {
                          behind.add(scope + " " + version + " < " + current);
                        }
                      });
              Map<String, String> labels =
                  group == null
                      ? labels("member", member)
                      : labels("group", group, "member", member);
              if (!behind.isEmpty()) {
                found.add(
                    new Condition(
                        key(rule, member, "behind"),
                        labels,
                        "member "
                            + member
                            + " runs an older configuration: "
                            + String.join(", ", behind)));
              }
              if (!applied.lastKnownGood().isEmpty()) {
                found.add(
                    new Condition(
                        key(rule, member, "last-known-good"),
                        labels,
                        "member "
                            + member
                            + " keeps last good values for invalid stored keys: "
                            + String.join(", ", applied.lastKnownGood())));
              }
            });
    return RuleResult.of(rule, found);
  }

  private static RuleResult zookeeper(Rule rule, MonitorInputs in) {
    if (in.ensemble().isEmpty()) {
      return RuleResult.unknown(rule);
    }
    List<ServerStatus> servers = in.ensemble().get();
    List<Condition> found = new ArrayList<>();
    boolean leader = false;
    for (ServerStatus s : servers) {
      if (!s.serving()) {
        found.add(
            new Condition(
                key(rule, "server", s.address()),
                labels("server", s.address()),
                "ZooKeeper server "
                    + s.address()
                    + (s.reachable() ? " is not serving" : " is unreachable")
                    + s.error().map(e -> ": " + e).orElse("")));
        continue;
      }
      String mode = s.mode().orElse("");
      leader |= mode.equals("leader") || mode.equals("standalone");
      Optional<Long> outstanding = longField(s, "Outstanding");
      if (rule.maxOutstanding().isPresent()
          && outstanding.isPresent()
          && outstanding.get() > rule.maxOutstanding().get()) {
        found.add(
            new Condition(
                key(rule, "outstanding", s.address()),
                labels("server", s.address()),
                "ZooKeeper server "
                    + s.address()
                    + " has "
                    + outstanding.get()
                    + " outstanding requests (limit "
                    + rule.maxOutstanding().get()
                    + ")"));
      }
      Optional<Double> average = averageLatency(s);
      if (rule.maxLatency().isPresent()
          && average.isPresent()
          && average.get() > rule.maxLatency().get().toNanos() / 1e6) {
        found.add(
            new Condition(
                key(rule, "latency", s.address()),
                labels("server", s.address()),
                String.format(
                    "ZooKeeper server %s answers in %.1f ms on average (limit %s)",
                    s.address(),
                    average.get(),
                    dev.pipekeeper.core.internal.Durations.format(rule.maxLatency().get()))));
      }
    }
    if (!leader) {
      found.add(
          new Condition(
              key(rule, "leader"),
              labels(),
              "the ZooKeeper ensemble has no leader ("
                  + servers.stream().filter(ServerStatus::serving).count()
                  + " of "
                  + servers.size()
                  + " servers serving)"));
    }
    return RuleResult.of(rule, found);
  }

  private static RuleResult kafka(Rule rule, MonitorInputs in) {
    ProbeReport kafka = in.probes().get("kafka");
    if (kafka == null) {
      return RuleResult.unknown(rule);
    }
    if (kafka.reachable()) {
      return RuleResult.of(rule, List.of());
    }
    return RuleResult.of(
        rule,
        List.of(
            new Condition(
                key(rule, "kafka"),
                labels("system", "kafka"),
                "Kafka is unreachable" + kafka.error().map(e -> ": " + e).orElse(""))));
  }

  private static RuleResult delivery(Rule rule, MonitorInputs in) {
    List<Condition> found = new ArrayList<>();
    for (SinkStatus s : in.sinks()) {
      if (s.failing()) {
        found.add(
            new Condition(
                key(rule, s.sink()),
                labels("sink", s.sink()),
                "alerts cannot be delivered to "
                    + s.sink()
                    + " ("
                    + s.queued()
                    + " waiting, "
                    + s.failedAttempts()
                    + " failed attempts)"
                    + s.lastError().map(e -> ": " + e).orElse("")));
      }
    }
    return RuleResult.of(rule, found);
  }

  /** At most this many unit names in a summary; the count says how many more. */
  private static final int NAMES_SHOWN = 10;

  private static RuleResult unassignedUnits(Rule rule, MonitorInputs in) {
    List<Condition> found = new ArrayList<>();
    in.work()
        .forEach(
            (group, work) -> {
              List<String> units = work.unassigned();
              if (!rule.covers(group) || units.isEmpty()) {
                return;
              }
              String names =
                  String.join(", ", units.subList(0, Math.min(NAMES_SHOWN, units.size())));
              if (units.size() > NAMES_SHOWN) {
                names += " and " + (units.size() - NAMES_SHOWN) + " more";
              }
              found.add(
                  new Condition(
                      key(rule, group),
                      labels("group", group),
                      units.size()
                          + " of "
                          + work.units()
                          + (work.units() == 1 ? " work unit" : " work units")
                          + " of "
                          + group
                          + " assigned to no member (none can take them: drained, pinned elsewhere"
                          + " or full): "
                          + names));
            });
    return RuleResult.of(rule, found);
  }

  /** Adds this evaluation's offsets to the windows and forgets what is older than any needs. */
  private void remember(List<Rule> rules, MonitorInputs in) {
    Duration keep = Duration.ZERO;
    for (Rule r : rules) {
      if (needsOffsets(r.kind()) && r.window().compareTo(keep) > 0) {
        keep = r.window();
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
    java.util.Iterator<OffsetSample> it = deque.iterator();
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

  private static Optional<Long> longField(ServerStatus s, String field) {
    try {
      return Optional.ofNullable(s.fields().get(field)).map(v -> Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@code Latency min/avg/max: 0/0.25/7} → 0.25 (milliseconds). */
  private static Optional<Double> averageLatency(ServerStatus s) {
    String value = s.fields().get("Latency min/avg/max");
    if (value == null) {
      return Optional.empty();
    }
    String[] parts = value.trim().split("/");
    try {
      return parts.length >= 2 ? Optional.of(Double.parseDouble(parts[1])) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String window(Rule rule) {
    return dev.pipekeeper.core.internal.Durations.format(rule.window());
  }

  private static String signed(long n) {
    return n >= 0 ? "+" + n : Long.toString(n);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
