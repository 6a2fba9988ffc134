package dev.pipekeeper.core.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.monitor.Rule.Watch;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The JSON form of each kind's {@link Watch}: one entry per kind says which settings it reads (and
 * which of them it requires) and writes. Every setting is checked on every rule, whatever its kind
 * (the schema allows each on every kind), and a kind keeps only the settings it uses.
 */
final class RuleJson {

  /** How one kind's watch is read and written. */
  private record Form<W extends Watch>(
      Class<W> type, Function<Settings, W> read, BiConsumer<W, ObjectNode> write) {
    void writeTo(Watch watch, ObjectNode o) {
      write.accept(type.cast(watch), o);
    }
  }

  private static final Map<RuleKind, Form<?>> FORMS = forms();

  private RuleJson() {}

  private static Map<RuleKind, Form<?>> forms() {
    Map<RuleKind, Form<?>> f = new EnumMap<>(RuleKind.class);
    f.put(
        RuleKind.MEMBER_DOWN,
        new Form<>(
            Rule.MemberDown.class,
            s -> new Rule.MemberDown(s.group),
            (w, o) -> group(o, w.group())));
    f.put(
        RuleKind.GROUP_SIZE,
        new Form<>(
            Rule.GroupSize.class,
            s -> new Rule.GroupSize(s.require("group", s.group), s.require("min", s.min)),
            (w, o) -> {
              o.put("group", w.group());
              o.put("min", w.min());
            }));
    f.put(
        RuleKind.NO_LEADER,
        new Form<>(
            Rule.NoLeader.class,
            s -> new Rule.NoLeader(s.role),
            (w, o) -> w.role().ifPresent(r -> o.put("role", r))));
    f.put(
        RuleKind.CONSUMER_LAG,
        new Form<>(
            Rule.ConsumerLag.class,
            s -> new Rule.ConsumerLag(s.group, s.require("threshold", s.threshold), s.window),
            (w, o) -> {
              group(o, w.group());
              o.put("threshold", w.threshold());
              window(o, w.window());
            }));
    f.put(
        RuleKind.CONSUMER_STALLED,
        new Form<>(
            Rule.ConsumerStalled.class,
            s -> new Rule.ConsumerStalled(s.group, s.window),
            (w, o) -> {
              group(o, w.group());
              window(o, w.window());
            }));
    f.put(
        RuleKind.CONSUMER_REWINDING,
        new Form<>(
            Rule.ConsumerRewinding.class,
            s -> new Rule.ConsumerRewinding(s.group, s.window),
            (w, o) -> {
              group(o, w.group());
              window(o, w.window());
            }));
    f.put(
        RuleKind.LAG_TIME,
        new Form<>(
            Rule.LagTime.class,
            s -> new Rule.LagTime(s.group, s.require("after", s.after)),
            (w, o) -> {
              group(o, w.group());
              o.put("after", Durations.format(w.after()));
            }));
    f.put(
        RuleKind.ERROR_RATE,
        new Form<>(
            Rule.ErrorRate.class,
            s -> new Rule.ErrorRate(s.group, s.require("threshold", s.threshold)),
            (w, o) -> {
              group(o, w.group());
              o.put("threshold", w.threshold());
            }));
    f.put(
        RuleKind.NO_PROGRESS,
        new Form<>(
            Rule.NoProgress.class,
            s -> new Rule.NoProgress(s.group, s.require("after", s.after)),
            (w, o) -> {
              group(o, w.group());
              o.put("after", Durations.format(w.after()));
            }));
    f.put(
        RuleKind.CONFIG_DRIFT,
        new Form<>(
            Rule.ConfigDrift.class,
            s -> new Rule.ConfigDrift(s.group),
            (w, o) -> group(o, w.group())));
    f.put(
        RuleKind.ZOOKEEPER,
        new Form<>(
            Rule.Zookeeper.class,
            s -> new Rule.Zookeeper(s.maxOutstanding, s.maxLatency),
            (w, o) -> {
              w.maxOutstanding().ifPresent(m -> o.put("maxOutstanding", m));
              w.maxLatency().ifPresent(l -> o.put("maxLatency", Durations.format(l)));
            }));
    f.put(RuleKind.KAFKA, new Form<>(Rule.Kafka.class, s -> new Rule.Kafka(), (w, o) -> {}));
    f.put(
        RuleKind.DELIVERY, new Form<>(Rule.Delivery.class, s -> new Rule.Delivery(), (w, o) -> {}));
    f.put(
        RuleKind.UNASSIGNED_UNITS,
        new Form<>(
            Rule.UnassignedUnits.class,
            s -> new Rule.UnassignedUnits(s.group),
            (w, o) -> group(o, w.group())));
    for (RuleKind kind : RuleKind.values()) {
      if (!f.containsKey(kind)) {
        throw new IllegalStateException("no JSON form for the rule kind " + kind.label());
      }
    }
    return f;
  }

  /**
   * Reads the rule at {@code at} from {@code node}: every setting checked, its kind's required ones
   * present.
   *
   * @throws InvalidInputException naming the rule and what is wrong
   */
  static Rule read(String at, String name, JsonNode node) {
    Settings s = new Settings(at, node);
    Watch watch = FORMS.get(s.kind).read().apply(s);
    if (s.window.isZero()) {
      throw new InvalidInputException(at + ": window must be longer than 0");
    }
    return new Rule(name, s.severity, s.forDuration, s.keepFiringFor, watch);
  }

  /** Writes the settings of {@code watch} that are not at their defaults into {@code o}. */
  static void write(Watch watch, ObjectNode o) {
    FORMS.get(watch.kind()).writeTo(watch, o);
  }

  private static void group(ObjectNode o, Optional<String> group) {
    group.ifPresent(g -> o.put("group", g));
  }

  private static void window(ObjectNode o, Duration window) {
    if (!window.equals(Rule.DEFAULT_WINDOW)) {
      o.put("window", Durations.format(window));
    }
  }

  /** Every setting of one rule's JSON object, each checked, in the order they are checked. */
  private static final class Settings {
    final String at;
    final RuleKind kind;
    final Severity severity;
    final Optional<String> group;
    final Optional<String> role;
    final Optional<Double> threshold;
    final Optional<Integer> min;
    final Optional<Integer> maxOutstanding;
    final Duration forDuration;
    final Duration keepFiringFor;
    final Duration window;
    final Optional<Duration> after;
    final Optional<Duration> maxLatency;

    Settings(String at, JsonNode node) {
      this.at = at;
      try {
        kind = RuleKind.parse(text(node, "kind", at).orElse(null));
      } catch (InvalidInputException e) {
        throw new InvalidInputException(at + ": " + e.getMessage());
      }
      try {
        severity = text(node, "severity", at).map(Severity::parse).orElse(Severity.WARNING);
      } catch (InvalidInputException e) {
        throw new InvalidInputException(at + ": " + e.getMessage());
      }
      group = text(node, "group", at).map(g -> checkName(at, "group", g));
      role = text(node, "role", at).map(r -> checkName(at, "role", r));
      threshold = number(node, "threshold", at);
      min = integer(node, "min", at, 1);
      maxOutstanding = integer(node, "maxOutstanding", at, 0);
      forDuration = duration(node, "for", at).orElse(Duration.ZERO);
      keepFiringFor = duration(node, "keepFiringFor", at).orElse(Duration.ZERO);
      window = duration(node, "window", at).orElse(Rule.DEFAULT_WINDOW);
      after = duration(node, "after", at);
      maxLatency = duration(node, "maxLatency", at);
    }

    /** The value of a setting the kind requires. */
    <T> T require(String field, Optional<T> value) {
      if (value.isEmpty()) {
        throw new InvalidInputException(
            at + ": " + field + " is required for kind " + kind.label());
      }
      return value.get();
    }
  }

  private static String checkName(String at, String what, String value) {
    try {
      return Names.check(what, value);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(at + ": " + e.getMessage());
    }
  }

  static Optional<String> text(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new InvalidInputException(at + ": " + field + " must be a string, not " + value);
    }
    return Optional.of(value.asText());
  }

  private static Optional<Duration> duration(JsonNode node, String field, String at) {
    try {
      return text(node, field, at).map(Durations::parse);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(at + ": " + field + " " + e.getMessage());
    }
  }

  private static Optional<Double> number(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isNumber() || value.asDouble() < 0 || !Double.isFinite(value.asDouble())) {
      throw new InvalidInputException(
          at + ": " + field + " must be a number of at least 0, not " + value);
    }
    return Optional.of(value.asDouble());
  }

  private static Optional<Integer> integer(JsonNode node, String field, String at, int least) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < least) {
      throw new InvalidInputException(
          at + ": " + field + " must be a whole number of at least " + least + ", not " + value);
    }
    return Optional.of(value.asInt());
  }
}
