package dev.pipekeeper.core.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The alerting rules: a JSON array in the configuration key {@value #KEY} of scope {@code global},
 * so they are validated by {@link #schema()} when written, versioned with history and rollback, and
 * picked up live by the monitor. The rules in force ({@link #inForce}) are {@link #defaults()}
 * together with the stored ones: a stored rule with a new name adds to the defaults, one with a
 * default's name replaces that default, and {@code {"name": "no-leader", "enabled": false}}
 * switches a default off (as does {@code "enabled": false} on any rule).
 *
 * <pre class="language-json">{@code
 * [
 *   {"name": "member-down", "kind": "member-down", "for": "10s", "severity": "critical"},
 *   {"name": "orders-lag", "kind": "consumer-lag", "group": "enrichment", "threshold": 1000,
 *    "window": "1m", "for": "30s"},
 *   {"name": "zk", "kind": "zookeeper", "maxOutstanding": 100, "maxLatency": "500ms"}
 * ]
 * }</pre>
 *
 * <p>Every rule has {@code name} (unique), {@code kind} (a {@link RuleKind} label), {@code enabled}
 * (default true), {@code severity} (default warning), {@code for} (default 0s) and {@code
 * keepFiringFor} (default 0s); {@code group} and {@code role} narrow it. {@code group-size} needs
 * {@code group} and {@code min}; {@code consumer-lag} and {@code error-rate} need {@code
 * threshold}; {@code lag-time} and {@code no-progress} need {@code after}; the trend kinds take
 * {@code window} (default 1m); {@code zookeeper} takes {@code maxOutstanding} and {@code
 * maxLatency}. Each kind reads into its own {@link Rule.Watch} record, which keeps only the
 * settings the kind uses: a setting given to a kind that does not use it ({@code role} on {@code
 * kafka}) is still checked, and then has no effect.
 */
public final class Rules {
  /** The configuration key (scope global) that holds the rules. */
  public static final String KEY = "alerts.rules";

  private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "enabled",
          "kind",
          "severity",
          "for",
          "keepFiringFor",
          "group",
          "role",
          "threshold",
          "window",
          "after",
          "min",
          "maxOutstanding",
          "maxLatency");
  private static final JsonNode SCHEMA = loadSchema();

  private Rules() {}

  /** The JSON Schema that {@value #KEY} must satisfy. */
  public static JsonNode schema() {
    return SCHEMA.deepCopy();
  }

  /**
   * What the monitor watches unless {@value #KEY} switches it off: members leaving without
   * draining, roles without a leader, stalled and rewinding consumers, configuration drift, the
   * ZooKeeper ensemble, Kafka, failing alert sinks, and work units no member can run.
   */
  public static List<Rule> defaults() {
    return List.of(
        Rule.of("member-down", new Rule.MemberDown())
            .withFor(Duration.ofSeconds(10))
            .withSeverity(Severity.CRITICAL),
        Rule.of("no-leader", new Rule.NoLeader())
            .withFor(Duration.ofSeconds(30))
            .withSeverity(Severity.CRITICAL),
        Rule.of("consumer-stalled", new Rule.ConsumerStalled()).withFor(Duration.ofSeconds(30)),
        Rule.of("consumer-rewinding", new Rule.ConsumerRewinding()),
        Rule.of("config-drift", new Rule.ConfigDrift()).withFor(Duration.ofMinutes(1)),
        Rule.of(
                "zookeeper",
                new Rule.Zookeeper().withMaxOutstanding(1000).withMaxLatency(Duration.ofSeconds(1)))
            .withFor(Duration.ofSeconds(10))
            .withSeverity(Severity.CRITICAL),
        Rule.of("kafka", new Rule.Kafka())
            .withFor(Duration.ofSeconds(30))
            .withSeverity(Severity.CRITICAL),
        Rule.of("delivery", new Rule.Delivery()).withFor(Duration.ofMinutes(1)),
        Rule.of("unassigned-units", new Rule.UnassignedUnits())
            .withFor(Duration.ofSeconds(30))
            .withSeverity(Severity.CRITICAL));
  }

  /**
   * Reads rules from their JSON form: the rules it states, those switched off ({@code "enabled":
   * false}) left out. See {@link #inForce} for what the monitor evaluates.
   *
   * @throws InvalidInputException naming the rule (by position and name) and what is wrong
   */
  public static List<Rule> parse(JsonNode json) {
    return entries(json).stream().filter(Entry::enabled).map(e -> e.rule().orElseThrow()).toList();
  }

  /**
   * The rules in force for a stored {@value #KEY} (or none): every default rule, in order, unless
   * an entry of its name switches it off ({@code {"name": "no-leader", "enabled": false}}) or
   * replaces it (a stored rule with a default's name takes its place), then the stored rules of
   * other names in their order. So rules written to the key add to the defaults, and the defaults
   * that a release adds apply too unless switched off.
   *
   * @throws InvalidInputException naming the rule (by position and name) and what is wrong
   */
  public static RuleSet inForce(Optional<JsonNode> stored) {
    if (stored.isEmpty()) {
      return new RuleSet(defaults(), List.of(), List.of());
    }
    List<Entry> entries = entries(stored.get());
    java.util.Map<String, Entry> byName = new java.util.HashMap<>();
    entries.forEach(e -> byName.put(e.name(), e));
    List<Rule> rules = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    List<String> disabled = new ArrayList<>();
    Set<String> defaultNames = new HashSet<>();
    for (Rule rule : defaults()) {
      defaultNames.add(rule.name());
      Entry entry = byName.get(rule.name());
      if (entry == null) {
        rules.add(rule);
      } else if (!entry.enabled()) {
        disabled.add(rule.name());
      } else {
        rules.add(entry.rule().orElseThrow());
        replaced.add(rule.name());
      }
    }
    for (Entry entry : entries) {
      if (entry.enabled() && !defaultNames.contains(entry.name())) {
        rules.add(entry.rule().orElseThrow());
      }
    }
    return new RuleSet(rules, replaced, disabled);
  }

  /**
   * One entry of the array: a rule (switched on or off), or a default switched off by its name.
   *
   * @param rule empty for a default switched off by name alone
   */
  private record Entry(String name, boolean enabled, Optional<Rule> rule) {}

  private static List<Entry> entries(JsonNode json) {
    if (json == null || !json.isArray()) {
      throw new InvalidInputException(
          KEY + " must be a JSON array of rules, not " + (json == null ? "nothing" : json));
    }
    Set<String> defaultNames = new HashSet<>();
    defaults().forEach(r -> defaultNames.add(r.name()));
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < json.size(); i++) {
      Entry entry = parseEntry(i + 1, json.get(i), defaultNames);
      if (!names.add(entry.name())) {
        throw new InvalidInputException(
            "rule " + (i + 1) + ": the name '" + entry.name() + "' is used by an earlier rule");
      }
      entries.add(entry);
    }
    return List.copyOf(entries);
  }

  /**
   * Reads rules from JSON text.
   *
   * @throws InvalidInputException if it is not JSON or not valid rules
   */
  public static List<Rule> parse(String json) {
    try {
      return parse(Json.readTree(json));
    } catch (IOException e) {
      throw new InvalidInputException(KEY + " is not valid JSON: " + e.getMessage());
    }
  }

  /** The JSON form of {@code rules}, settings at their defaults left out. */
  public static JsonNode toJson(List<Rule> rules) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (Rule r : rules) {
      ObjectNode o = array.addObject();
      o.put("name", r.name());
      o.put("kind", r.kind().label());
      o.put("severity", r.severity().label());
      if (!r.forDuration().isZero()) {
        o.put("for", Durations.format(r.forDuration()));
      }
      if (!r.keepFiringFor().isZero()) {
        o.put("keepFiringFor", Durations.format(r.keepFiringFor()));
      }
      RuleJson.write(r.watch(), o);
    }
    return array;
  }

  private static Entry parseEntry(int position, JsonNode node, Set<String> defaultNames) {
    if (node == null || !node.isObject()) {
      throw new InvalidInputException("rule " + position + " must be a JSON object");
    }
    String where = "rule " + position;
    String name = RuleJson.text(node, "name", where).orElse(null);
    if (name == null || !RULE_NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          where
              + ": name "
              + (name == null ? "is missing" : "'" + name + "' is not valid")
              + "; use 1 to 100 characters of a-z 0-9 . _ -");
    }
    String at = where + " (" + name + ")";
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw new InvalidInputException(at + ": unknown setting '" + field + "'");
      }
    }
    JsonNode enabledNode = node.get("enabled");
    if (enabledNode != null && !enabledNode.isBoolean()) {
      throw new InvalidInputException(at + ": enabled must be true or false, not " + enabledNode);
    }
    boolean enabled = enabledNode == null || enabledNode.asBoolean();
    if (!enabled && !node.has("kind")) {
      if (!defaultNames.contains(name)) {
        throw new InvalidInputException(
            at
                + ": there is no default rule named '"
                + name
                + "' to switch off (the defaults: "
                + String.join(", ", defaults().stream().map(Rule::name).toList())
                + "); give a kind to define a rule");
      }
      if (node.size() > 2) {
        throw new InvalidInputException(
            at + ": a default switched off by name takes only name and enabled");
      }
      return new Entry(name, false, Optional.empty());
    }
    return new Entry(name, enabled, Optional.of(RuleJson.read(at, name, node)));
  }

  private static JsonNode loadSchema() {
    try (InputStream in = Rules.class.getResourceAsStream("alert-rules.schema.json")) {
      if (in == null) {
        throw new IllegalStateException("alert-rules.schema.json is missing from the jar");
      }
      return Json.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
