package dev.pipekeeper.core.monitor.internal;

import static dev.pipekeeper.core.monitor.internal.Conditions.key;
import static dev.pipekeeper.core.monitor.internal.Conditions.labels;

import dev.pipekeeper.core.ensemble.ServerStatus;
import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.SinkStatus;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.Condition;
import dev.pipekeeper.core.monitor.internal.AlertLifecycle.RuleResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The rules about the systems the monitor depends on: {@code zookeeper} (each server's {@code
 * srvr}), {@code kafka} (the probe of that name) and {@code delivery} (the alert sinks).
 */
final class SystemRules {
  private SystemRules() {}

  static void addTo(RuleChecks checks) {
    checks
        .on(Rule.Zookeeper.class, (rule, watch, in, departed) -> zookeeper(rule, watch, in))
        .on(Rule.Kafka.class, (rule, watch, in, departed) -> kafka(rule, in))
        .on(Rule.Delivery.class, (rule, watch, in, departed) -> delivery(rule, in));
  }

  private static RuleResult zookeeper(Rule rule, Rule.Zookeeper watch, MonitorInputs in) {
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
      if (watch.maxOutstanding().isPresent()
          && outstanding.isPresent()
          && outstanding.get() > watch.maxOutstanding().get()) {
        found.add(
            new Condition(
                key(rule, "outstanding", s.address()),
                labels("server", s.address()),
                "ZooKeeper server "
                    + s.address()
                    + " has "
                    + outstanding.get()
                    + " outstanding requests (limit "
                    + watch.maxOutstanding().get()
                    + ")"));
      }
      Optional<Double> average = averageLatency(s);
      if (watch.maxLatency().isPresent()
          && average.isPresent()
          && average.get() > watch.maxLatency().get().toNanos() / 1e6) {
        found.add(
            new Condition(
                key(rule, "latency", s.address()),
                labels("server", s.address()),
                String.format(
                    "ZooKeeper server %s answers in %.1f ms on average (limit %s)",
                    s.address(), average.get(), Durations.format(watch.maxLatency().get()))));
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

  /** The probe the {@code kafka} kind watches, found by the name it reports under. */
  private static RuleResult kafka(Rule rule, MonitorInputs in) {
    String probe = Rule.Kafka.PROBE;
    ProbeReport kafka = in.probes().get(probe);
    if (kafka == null) {
      return RuleResult.unknown(rule);
    }
    if (kafka.reachable()) {
      // Refused is not down: one condition per resource the probe may not see.
      List<Condition> refused = new ArrayList<>();
      new TreeMap<>(kafka.refused())
          .forEach(
              (resource, reason) ->
                  refused.add(
                      new Condition(
                          key(rule, probe, resource),
                          labels("system", probe, "resource", resource),
                          "Kafka refused the monitor's probe "
                              + resource
                              + " ("
                              + reason
                              + "); its lag is not watched until the probe's principal may"
                              + " DESCRIBE it")));
      return RuleResult.of(rule, refused);
    }
    return RuleResult.of(
        rule,
        List.of(
            new Condition(
                key(rule, probe),
                labels("system", probe),
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
}
